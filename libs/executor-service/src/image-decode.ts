import { DomainError, ErrorReason } from "@modelrouter/errors";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import type { ImageLimits } from "./worker-protocol.js";

/** A decoded image: 8-bit RGBA, row-major, 4 bytes per pixel. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Decodes a PNG (pngjs) or JPEG (jpeg-js) image to 8-bit RGBA, refusing images larger than the limits
 * before allocating their pixels.
 *
 * @param expects what the model takes, for the error message (for example "a [1, 1, 28, 28] grayscale …").
 * @throws DomainError PAYLOAD_UNSUPPORTED when the bytes are neither, cannot be decoded, or are too large.
 */
export function decodeImage(data: Uint8Array, limits: ImageLimits, expects: string): RgbaImage {
  const fail = (problem: string, cause?: unknown): DomainError =>
    new DomainError(
      ErrorReason.PAYLOAD_UNSUPPORTED,
      `the model takes a PNG or JPEG image (fed to it as ${expects}); ${problem}`,
      cause === undefined ? {} : { cause },
    );
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (isPng(bytes)) {
    if (bytes.length < 24) throw fail("the PNG image is truncated");
    checkSize(bytes.readUInt32BE(16), bytes.readUInt32BE(20), limits, fail);
    try {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
    } catch (error) {
      throw fail(`the PNG image could not be decoded (${errorText(error)})`, error);
    }
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    try {
      const image = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        tolerantDecoding: true,
        maxResolutionInMP: limits.maxPixels / 1_000_000,
        maxMemoryUsageInMB: limits.maxMemoryMb,
      });
      checkSize(image.width, image.height, limits, fail);
      return { width: image.width, height: image.height, rgba: image.data };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw fail(`the JPEG image could not be decoded (${errorText(error)})`, error);
    }
  }
  throw fail("the payload is neither (no PNG or JPEG signature)");
}

function isPng(bytes: Buffer): boolean {
  return bytes.length >= pngSignature.length && pngSignature.every((b, i) => bytes[i] === b);
}

function checkSize(width: number, height: number, limits: ImageLimits, fail: (problem: string) => DomainError): void {
  if (width < 1 || height < 1) throw fail(`the image is ${width}×${height} pixels`);
  if (width * height > limits.maxPixels) {
    throw fail(`the image is ${width}×${height} pixels, more than the executor's limit of ${limits.maxPixels}`);
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
