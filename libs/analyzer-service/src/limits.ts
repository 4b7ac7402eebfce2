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
  /**
   * Levels of nested objects and lists in a JSON payload (the payload itself is level 1). Over the wire, protobuf
   * decoders stop at 100 nested messages, which is about 48 levels of `google.protobuf.Value`; this limit is
   * below that, so that a client meets this message, not a decoder's.
   */
  maxJsonDepth: 32,
  /**
   * Pixels (width × height) of an image, read from its header before anything is decoded. Equal to the
   * executor's `DEFAULT_IMAGE_LIMITS.maxPixels`, the largest image it decodes; the executor has no separate
   * bound on width or height, so neither has the analyzer (each is at most this many pixels).
   */
  maxImagePixels: 25_000_000,
  /**
   * Pixels decoded to measure an image's colour and sharpness (256×256): jpeg-js decodes about 7 pixels a µs here,
   * so a budget of 65,536 pixels keeps the worst image under about 10 ms. Larger images (and interlaced PNGs, whose
   * decoder cannot bound its work) are profiled from the header alone, with `pixels_analyzed` 0.
   */
  maxDecodedPixels: 65_536,
  /** Side of the grey image, in pixels, that sharpness is measured on: larger images are scaled down to it. */
  sharpnessSide: 256,
  /** Seconds of audio from the start that levels and voice activity are measured over. */
  maxAudioAnalysisSeconds: 10,
  /** Samples (all channels) that levels and voice activity are measured over: 10 s of 48 kHz mono. */
  maxAudioAnalysisSamples: 480_000,
  /** Entries of the request metadata. */
  maxMetadataEntries: 64,
  /** Characters of a metadata key (which must match `[A-Za-z0-9._/-]+`). */
  maxMetadataKeyChars: 63,
  /** Characters (code points) of a metadata value. */
  maxMetadataValueChars: 1024,
} as const;
