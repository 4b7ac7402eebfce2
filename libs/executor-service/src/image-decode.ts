import { DomainError, ErrorReason } from "@modelrouter/errors";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { type DecodableFormat, type ImageRefusal, checkDimensions, corrupt, hexPreview, undecodableFormat } from "./image-check.js";
import { checkJpeg, isJpeg } from "./jpeg-check.js";
import { checkPng, isPng } from "./png-check.js";
import type { ImageLimits } from "./worker-protocol.js";

/** A decoded image: 8-bit RGBA, row-major, 4 bytes per pixel. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

/** Where an image came from and what the model makes of it, for error messages. */
export interface ImageSource {
  /** The request field holding the bytes, for example `payload.image.data`. */
  readonly field: string;
  /** What the model takes, for example "a [1, 1, 28, 28] grayscale float32 tensor of the image resized to 28×28". */
  readonly expects: string;
}

/**
 * Decodes a PNG (pngjs) or JPEG (jpeg-js) image to 8-bit RGBA. Its structure is checked first (`checkPng`,
 * `checkJpeg`), so that an image over the limits is refused from its header, before any pixel is allocated,
 * and a truncated or corrupt one is reported in our words, never in the decoder's.
 *
 * @throws DomainError INVALID_FIELD naming `source.field` when the bytes are not an image, are truncated or
 *   corrupt ("the PNG image is truncated or corrupt: …"), or exceed the limits; PAYLOAD_UNSUPPORTED naming
 *   it when they are an image the executor does not decode (GIF, WebP, BMP, TIFF, a lossless JPEG …),
 *   saying which formats it decodes.
 */
export function decodeImage(data: Uint8Array, limits: ImageLimits, source: ImageSource): RgbaImage {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (isPng(bytes)) {
    refuseIf(checkPng(bytes, limits), "PNG", source);
    let png: PNG;
    try {
      png = PNG.sync.read(bytes);
    } catch (error) {
      throw refusal(corrupt("its image data could not be decoded"), "PNG", source, error);
    }
    return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
  }
  if (isJpeg(bytes)) {
    refuseIf(checkJpeg(bytes, limits), "JPEG", source);
    let image: { width: number; height: number; data: Uint8Array };
    try {
      image = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        tolerantDecoding: true,
        maxResolutionInMP: limits.maxPixels / 1_000_000,
        maxMemoryUsageInMB: limits.maxMemoryMb,
      });
    } catch (error) {
      const overLimit = error instanceof Error && /maxResolutionInMP|maxMemoryUsageInMB/.test(error.message);
      const problem: ImageRefusal = overLimit
        ? { kind: "limit", detail: `needs more than the executor's limit of ${limits.maxMemoryMb} MiB to decode` }
        : corrupt("its compressed image data could not be decoded");
      throw refusal(problem, "JPEG", source, error);
    }
    refuseIf(checkDimensions(image.width, image.height, limits), "JPEG", source);
    return { width: image.width, height: image.height, rgba: image.data };
  }
  const format = undecodableFormat(bytes);
  if (format !== undefined) {
    throw unsupported(source, `is a ${format} image, which the executor does not decode: send a PNG or JPEG image (the model takes ${source.expects})`);
  }
  throw invalid(source, `is not a PNG or JPEG image (it starts with ${hexPreview(bytes)}): send a PNG or JPEG image`);
}

function refuseIf(problem: ImageRefusal | undefined, format: DecodableFormat, source: ImageSource): void {
  if (problem !== undefined) throw refusal(problem, format, source);
}

function refusal(problem: ImageRefusal, format: DecodableFormat, source: ImageSource, cause?: unknown): DomainError {
  switch (problem.kind) {
    case "unsupported":
      return unsupported(source, `the ${format} image ${problem.detail}`, cause);
    case "limit":
      return invalid(source, `the ${format} image ${problem.detail}: send a smaller image (the model takes ${source.expects})`, cause);
    case "corrupt":
      return invalid(source, `the ${format} image is truncated or corrupt: ${problem.detail}; send the complete image file`, cause);
  }
}

function invalid(source: ImageSource, description: string, cause?: unknown): DomainError {
  return fieldError(ErrorReason.INVALID_FIELD, `invalid image: ${source.field}: ${description}`, source.field, description, cause);
}

function unsupported(source: ImageSource, description: string, cause?: unknown): DomainError {
  return fieldError(ErrorReason.PAYLOAD_UNSUPPORTED, `${source.field}: ${description}`, source.field, description, cause);
}

function fieldError(reason: ErrorReason, message: string, field: string, description: string, cause: unknown): DomainError {
  return new DomainError(reason, message, {
    violations: [{ field, description }],
    metadata: { fields: field },
    ...(cause === undefined ? {} : { cause }),
  });
}
