/**
 * Bounds on the work the analyzer does for one request. Payloads beyond them are rejected with INVALID_FIELD
 * naming the limit, so that a single request cannot make the analyzer (which runs on every request) slow.
 */
export const ANALYZER_LIMITS = {
  /** Rows (objects) of a JSON payload. */
  maxRows: 10_000,
  /** Distinct field names across the rows of a JSON payload. */
  maxFields: 1_000,
  /** Row-level violations listed for one JSON payload; the rest are summarised in one more violation. */
  maxRowViolations: 20,
  /** Dimensions of a tensor (NumPy's classic limit). */
  maxTensorRank: 32,
  /** Elements of a tensor: its profile counts them in a uint32. */
  maxTensorElements: 0xffff_ffff,
  /** Entries of the request metadata. */
  maxMetadataEntries: 64,
  /** Characters of a metadata key (which must match `[A-Za-z0-9._/-]+`). */
  maxMetadataKeyChars: 63,
  /** Characters (code points) of a metadata value. */
  maxMetadataValueChars: 1024,
} as const;
