import { hasTag } from "./byte-reader.js";

/** Bytes of a RIFF file header: `RIFF`, the size, and the form type (`WAVE`, `WEBP`). */
export const RIFF_HEADER_BYTES = 12;

/** True when the bytes start with a RIFF header of the given four-character form type. */
export function isRiffForm(bytes: Uint8Array, form: "WAVE" | "WEBP"): boolean {
  return hasTag(bytes, 0, "RIFF") && hasTag(bytes, 8, form);
}
