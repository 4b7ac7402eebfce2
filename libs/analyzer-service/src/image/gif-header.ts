import { hasTag, u16le, u8 } from "../common/byte-reader.js";
import { type Detection, detected, rejected, truncated } from "../common/detection.js";
import type { ImageHeader } from "./image-header.js";

/** Signature (6) + logical screen descriptor (7). */
const HEADER_BYTES = 13;

/** True when the bytes start with `GIF87a` or `GIF89a`. */
export function isGif(bytes: Uint8Array): boolean {
  return hasTag(bytes, 0, "GIF87a") || hasTag(bytes, 0, "GIF89a");
}

/**
 * Reads a GIF's logical screen descriptor: the canvas width and height. A GIF is a palette image (3 channels);
 * its bit depth is the size of the global colour table in bits per index, or 8 when it has none.
 * Frames are not examined.
 */
export function readGifHeader(bytes: Uint8Array): Detection<ImageHeader> {
  if (!isGif(bytes)) return rejected("does not start with GIF87a or GIF89a");
  if (bytes.length < HEADER_BYTES) return truncated("GIF logical screen descriptor", HEADER_BYTES, bytes.length);
  const width = u16le(bytes, 6);
  const height = u16le(bytes, 8);
  if (width === 0 || height === 0) return rejected(`is corrupt: its canvas is ${width}×${height} pixels`);
  const packed = u8(bytes, 10);
  const hasGlobalTable = (packed & 0x80) !== 0;
  return detected({ format: "gif", width, height, channels: 3, bitDepth: hasGlobalTable ? (packed & 0x07) + 1 : 8 });
}
