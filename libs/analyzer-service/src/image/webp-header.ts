import { asciiTag, hasTag, u16le, u24le, u8 } from "../common/byte-reader.js";
import { type Detection, detected, rejected, truncated, unsupported } from "../common/detection.js";
import type { ImageHeader } from "./image-header.js";
import { isRiffForm } from "../common/riff.js";

/** RIFF header (12) + chunk header (8) + the first 10 bytes of a VP8/VP8X chunk. */
const VP8_HEADER_BYTES = 30;
/** RIFF header (12) + chunk header (8) + signature byte and 4 bytes of size and flags. */
const VP8L_HEADER_BYTES = 25;

/** True when the bytes start with a RIFF header of form `WEBP`. */
export function isWebp(bytes: Uint8Array): boolean {
  return isRiffForm(bytes, "WEBP");
}

/**
 * Reads a WebP's first chunk: `VP8 ` (lossy: the key frame's size), `VP8L` (lossless: size and alpha flag) or
 * `VP8X` (extended: the canvas size and alpha flag). Channels are 4 when the image declares alpha, else 3;
 * bit depth is 8. Frames of an animation are not examined.
 */
export function readWebpHeader(bytes: Uint8Array): Detection<ImageHeader> {
  if (!isWebp(bytes)) return rejected("does not start with a RIFF header of form WEBP");
  if (bytes.length < 20) return truncated("WebP file and chunk header", 20, bytes.length);
  if (hasTag(bytes, 12, "VP8 ")) return readLossy(bytes);
  if (hasTag(bytes, 12, "VP8L")) return readLossless(bytes);
  if (hasTag(bytes, 12, "VP8X")) return readExtended(bytes);
  return rejected(`is corrupt: its first chunk is '${asciiTag(bytes, 12, 4)}', not VP8, VP8L or VP8X`);
}

function readLossy(bytes: Uint8Array): Detection<ImageHeader> {
  if (bytes.length < VP8_HEADER_BYTES) return truncated("WebP VP8 frame header", VP8_HEADER_BYTES, bytes.length);
  if ((u8(bytes, 20) & 0x01) !== 0) return rejected("is corrupt: its VP8 frame is not a key frame");
  if (!hasTag(bytes, 23, [0x9d, 0x01, 0x2a])) return rejected("is corrupt: the VP8 start code 9d 01 2a is missing");
  const width = u16le(bytes, 26) & 0x3fff;
  const height = u16le(bytes, 28) & 0x3fff;
  if (width === 0 || height === 0) return rejected(`is corrupt: its frame is ${width}×${height} pixels`);
  return detected({ format: "webp", width, height, channels: 3, bitDepth: 8 });
}

function readLossless(bytes: Uint8Array): Detection<ImageHeader> {
  if (bytes.length < VP8L_HEADER_BYTES) return truncated("WebP VP8L header", VP8L_HEADER_BYTES, bytes.length);
  if (u8(bytes, 20) !== 0x2f) return rejected("is corrupt: the VP8L signature byte 2f is missing");
  const b1 = u8(bytes, 21);
  const b2 = u8(bytes, 22);
  const b3 = u8(bytes, 23);
  const b4 = u8(bytes, 24);
  const width = 1 + (b1 | ((b2 & 0x3f) << 8));
  const height = 1 + ((b2 >> 6) | (b3 << 2) | ((b4 & 0x0f) << 10));
  const alpha = (b4 & 0x10) !== 0;
  if (b4 >> 5 !== 0) return unsupported(`VP8L version ${b4 >> 5} is not 0`);
  return detected({ format: "webp", width, height, channels: alpha ? 4 : 3, bitDepth: 8 });
}

function readExtended(bytes: Uint8Array): Detection<ImageHeader> {
  if (bytes.length < VP8_HEADER_BYTES) return truncated("WebP VP8X header", VP8_HEADER_BYTES, bytes.length);
  const alpha = (u8(bytes, 20) & 0x10) !== 0;
  const width = 1 + u24le(bytes, 24);
  const height = 1 + u24le(bytes, 27);
  return detected({ format: "webp", width, height, channels: alpha ? 4 : 3, bitDepth: 8 });
}
