import { hasTag, i32le, u16le, u32le } from "../common/byte-reader.js";
import { type Detection, detected, rejected, truncated, unsupported } from "../common/detection.js";
import type { ImageHeader } from "./image-header.js";

/** File header (14) + the DIB header's size field (4). */
const SNIFF_BYTES = 18;
/** The DIB header sizes of BITMAPCOREHEADER, BITMAPINFOHEADER, V2, V3, OS/2 v2, V4 and V5. */
const DIB_HEADER_SIZES: readonly number[] = [12, 40, 52, 56, 64, 108, 124];
const BITS_PER_PIXEL: readonly number[] = [1, 4, 8, 16, 24, 32];
/** Offset of the alpha mask (V3, V4, V5 headers): after the 40-byte info header and the red, green and blue masks. */
const ALPHA_MASK_OFFSET = 14 + 40 + 12;
const BI_ALPHABITFIELDS = 6;

/**
 * True when the bytes start with `BM` and a known DIB header size. Two letters alone would also match text
 * such as "BMW", so the header size is part of the magic number.
 */
export function isBmp(bytes: Uint8Array): boolean {
  return hasTag(bytes, 0, "BM") && bytes.length >= SNIFF_BYTES && DIB_HEADER_SIZES.includes(u32le(bytes, 14));
}

/**
 * Reads a BMP's DIB header: width, height (a negative height means top-down rows) and bits per pixel.
 * Palette images (1, 4, 8 bits) have 3 channels and a bit depth of the index size; 16-bit images 3 channels
 * of 5 bits; 24-bit 3 channels of 8 bits; 32-bit 4 channels when an alpha mask is declared, else 3.
 */
export function readBmpHeader(bytes: Uint8Array): Detection<ImageHeader> {
  if (!isBmp(bytes)) return rejected("does not start with BM and a known DIB header size");
  const dibSize = u32le(bytes, 14);
  const core = dibSize === 12;
  const needed = core ? 26 : 34;
  if (bytes.length < needed) return truncated("BMP file and DIB header", needed, bytes.length);
  const width = core ? u16le(bytes, 18) : i32le(bytes, 18);
  const rawHeight = core ? u16le(bytes, 20) : i32le(bytes, 22);
  const planes = core ? u16le(bytes, 22) : u16le(bytes, 26);
  const bitsPerPixel = core ? u16le(bytes, 24) : u16le(bytes, 28);
  const compression = core ? 0 : u32le(bytes, 30);
  if (width <= 0 || rawHeight === 0) return rejected(`is corrupt: its size is ${width}×${rawHeight} pixels`);
  if (planes !== 1) return rejected(`is corrupt: it has ${planes} colour planes instead of 1`);
  if (!BITS_PER_PIXEL.includes(bitsPerPixel)) {
    return unsupported(`${bitsPerPixel} bits per pixel (recognised: ${BITS_PER_PIXEL.join(", ")})`);
  }
  const height = Math.abs(rawHeight);
  if (bitsPerPixel <= 8) return detected({ format: "bmp", width, height, channels: 3, bitDepth: bitsPerPixel });
  if (bitsPerPixel === 16) return detected({ format: "bmp", width, height, channels: 3, bitDepth: 5 });
  const hasAlphaMask =
    bitsPerPixel === 32 &&
    (dibSize === 56 || dibSize >= 108 || compression === BI_ALPHABITFIELDS) &&
    bytes.length >= ALPHA_MASK_OFFSET + 4 &&
    u32le(bytes, ALPHA_MASK_OFFSET) !== 0;
  return detected({ format: "bmp", width, height, channels: hasAlphaMask ? 4 : 3, bitDepth: 8 });
}
