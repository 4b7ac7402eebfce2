import type { Violations } from "@modelrouter/errors";
import { keySegment } from "./common/field-path.js";
import { ANALYZER_LIMITS } from "./limits.js";

const KEY = /^[A-Za-z0-9._/-]+$/;

/** Code points of a string, counted only when its UTF-16 length could exceed `limit`. */
function exceeds(text: string, limit: number): boolean {
  if (text.length <= limit) return false;
  let count = 0;
  for (const _ of text) if (++count > limit) return true;
  return false;
}

/**
 * Checks request metadata against {@link ANALYZER_LIMITS}: at most 64 entries; keys of 1..63 characters from
 * `[A-Za-z0-9._/-]`; values of at most 1,024 characters. Each bad entry is added to `violations` as
 * `metadata["key"]`; too many entries as `metadata`. Keys are checked only up to the entry limit, so that a
 * huge map cannot make a huge error.
 */
export function validateMetadata(metadata: Readonly<Record<string, string>>, violations: Violations): void {
  const keys = Object.keys(metadata);
  const { maxMetadataEntries, maxMetadataKeyChars, maxMetadataValueChars } = ANALYZER_LIMITS;
  if (keys.length > maxMetadataEntries) {
    violations.add("metadata", `has ${keys.length} entries; at most ${maxMetadataEntries} are allowed`);
  }
  for (const key of keys.slice(0, maxMetadataEntries)) {
    const field = `metadata${keySegment(key)}`;
    if (key.length === 0) violations.add(field, "has an empty key: keys are 1 to 63 characters");
    else if (key.length > maxMetadataKeyChars) {
      violations.add(field, `has a key of ${key.length} characters; at most ${maxMetadataKeyChars} are allowed`);
    } else if (!KEY.test(key)) {
      violations.add(field, "has a key with characters outside A-Z, a-z, 0-9, '.', '_', '/' and '-'");
    }
    const value = metadata[key] ?? "";
    if (exceeds(value, maxMetadataValueChars)) {
      violations.add(field, `has a value longer than ${maxMetadataValueChars} characters`);
    }
  }
}
