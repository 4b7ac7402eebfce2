import { crc32 } from "node:zlib";
import { hasTag, u32be, u8 } from "../common/byte-reader.js";
import { type Detection, detected, rejected, truncated } from "../common/detection.js";
import type { ImageHeader } from "./image-header.js";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
/** Signature (8) + chunk length and type (8) + IHDR data (13) + CRC (4). */
const HEADER_BYTES = 33;
const MAX_DIMENSION = 0x7fffffff;

/** Channels and allowed bit depths per PNG colour type (PNG spec §11.2.2). */
const COLOUR_TYPES: Readonly<Record<number, { channels: number; depths: readonly number[]; name: string }>> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16], name: "greyscale" },
  2: { channels: 3, depths: [8, 16], name: "truecolour" },
  3: { channels: 3, depths: [1, 2, 4, 8], name: "indexed-colour" },
  4: { channels: 2, depths: [8, 16], name: "greyscale with alpha" },
  6: { channels: 4, depths: [8, 16], name: "truecolour with alpha" },
};

/** True when the bytes start with the 8-byte PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return hasTag(bytes, 0, SIGNATURE);
}

/**
 * Reads a PNG's signature and IHDR chunk: width, height, bit depth and colour type (→ channels; a palette
 * image has 3). Checks every IHDR field against the PNG specification and the chunk's CRC, so a corrupt
 * header is reported instead of profiled. Does not look past the IHDR chunk.
 */
export function readPngHeader(bytes: Uint8Array): Detection<ImageHeader> {
  if (!isPng(bytes)) return rejected("does not start with the PNG signature 89 50 4e 47 0d 0a 1a 0a");
  if (bytes.length < HEADER_BYTES) return truncated("PNG signature and IHDR chunk", HEADER_BYTES, bytes.length);
  if (!hasTag(bytes, 12, "IHDR")) return rejected("is corrupt: the first chunk is not IHDR");
  const length = u32be(bytes, 8);
  if (length !== 13) return rejected(`is corrupt: the IHDR chunk is ${length} bytes long instead of 13`);
  const storedCrc = u32be(bytes, 29);
  if (crc32(bytes.subarray(12, 29)) !== storedCrc) return rejected("is corrupt: the IHDR chunk's CRC does not match");
  const width = u32be(bytes, 16);
  const height = u32be(bytes, 20);
  const bitDepth = u8(bytes, 24);
  const colourType = u8(bytes, 25);
  if (width === 0 || height === 0 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
    return rejected(`is corrupt: its size ${width}×${height} is outside 1..${MAX_DIMENSION} pixels`);
  }
  const colour = COLOUR_TYPES[colourType];
  if (colour === undefined) return rejected(`is corrupt: colour type ${colourType} is not 0, 2, 3, 4 or 6`);
  if (!colour.depths.includes(bitDepth)) {
    return rejected(
      `is corrupt: bit depth ${bitDepth} is not allowed for ${colour.name} (allowed: ${colour.depths.join(", ")})`,
    );
  }
  if (u8(bytes, 26) !== 0) return rejected(`is corrupt: compression method ${u8(bytes, 26)} is not 0`);
  if (u8(bytes, 27) !== 0) return rejected(`is corrupt: filter method ${u8(bytes, 27)} is not 0`);
  if (u8(bytes, 28) > 1) return rejected(`is corrupt: interlace method ${u8(bytes, 28)} is not 0 or 1`);
  return detected({ format: "png", width, height, channels: colour.channels, bitDepth });
}
