import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { u8 } from "../common/byte-reader.js";
import { ANALYZER_LIMITS } from "../limits.js";
import type { ImageHeader } from "./image-header.js";
import { SOS } from "./jpeg-markers.js";
import { walkJpeg } from "./jpeg-segments.js";

/** Scans of a JPEG beyond which it is not decoded: each scan of a progressive JPEG passes over the whole image. */
const MAX_JPEG_SCANS = 32;
/** Byte 28 of a PNG (in IHDR) is its interlace method. */
const PNG_INTERLACE_BYTE = 28;

/** Decoded pixels: 8-bit RGBA, row-major. */
export interface RgbaPixels {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

/** The pixels of an image, or why they were not decoded (a sentence completing "the pixels were not analysed: …"). */
export type PixelDecoding = { readonly ok: true; readonly pixels: RgbaPixels } | { readonly ok: false; readonly reason: string; readonly warn: boolean };

function skipped(reason: string, warn = false): PixelDecoding {
  return { ok: false, reason, warn };
}

function countScans(bytes: Uint8Array): number {
  let scans = 0;
  walkJpeg(bytes, (marker) => {
    if (marker === SOS) scans++;
    return undefined;
  });
  return scans;
}

/**
 * Decodes a PNG (pngjs) or JPEG (jpeg-js) whose header and structure the analyzer accepted, when the work is
 * bounded: at most {@link ANALYZER_LIMITS.maxDecodedPixels} pixels, no interlaced PNG (its decoder inflates
 * without a bound) and no JPEG of more than 32 scans. Otherwise, or when the compressed data does not decode,
 * says why; `warn` marks the reasons a client should hear about (data that does not decode).
 */
export function decodePixels(bytes: Uint8Array, header: ImageHeader): PixelDecoding {
  const pixels = header.width * header.height;
  if (pixels > ANALYZER_LIMITS.maxDecodedPixels) return skipped(`the image has more than ${ANALYZER_LIMITS.maxDecodedPixels} pixels`);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (header.format === "png") {
      if (u8(bytes, PNG_INTERLACE_BYTE) !== 0) return skipped("the PNG is interlaced");
      const png = PNG.sync.read(buffer);
      return { ok: true, pixels: { width: png.width, height: png.height, rgba: png.data } };
    }
    if (header.format === "jpeg") {
      const scans = countScans(bytes);
      if (scans > MAX_JPEG_SCANS) return skipped(`the JPEG has ${scans} scans, more than ${MAX_JPEG_SCANS}`);
      const image = jpeg.decode(buffer, {
        useTArray: true,
        formatAsRGBA: true,
        tolerantDecoding: true,
        maxResolutionInMP: ANALYZER_LIMITS.maxDecodedPixels / 1_000_000,
        maxMemoryUsageInMB: 64,
      });
      if (image.width !== header.width || image.height !== header.height) return skipped("the decoded size differs from the header's", true);
      return { ok: true, pixels: { width: image.width, height: image.height, rgba: image.data } };
    }
  } catch (error) {
    const detail = error instanceof Error ? error.message.slice(0, 200) : String(error).slice(0, 200);
    return skipped(`its compressed image data does not decode (${detail})`, true);
  }
  return skipped(`${header.format} images are not decoded`);
}
