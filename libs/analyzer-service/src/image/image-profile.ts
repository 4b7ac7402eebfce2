import { create } from "@bufbuild/protobuf";
import { type ImageProfile, ImageProfileSchema } from "@modelrouter/contracts";
import { ANALYZER_LIMITS } from "../limits.js";
import type { ImageHeader } from "./image-header.js";
import { decodePixels } from "./image-pixels.js";
import { allGrey, laplacianVariance } from "./pixel-features.js";

/** An image's profile, and the warnings its analysis gave. */
export interface ImageAnalysis {
  readonly image: ImageProfile;
  readonly warnings: readonly string[];
}

/**
 * Profiles an image whose header and structure the analyzer accepted: the header's fields, the smaller side, and,
 * from the pixels when they are decoded within the budget (see `decodePixels`), whether they are all grey and how
 * sharp the image is. `color` is "gray" when the header says so (one or two channels) or every decoded pixel is
 * grey, else "color". Compressed data that does not decode gives a warning naming `path`, not a refusal: the
 * header and structure were valid, and the executor's decoder says the last word.
 */
export function analyzeImage(bytes: Uint8Array, header: ImageHeader, path: string): ImageAnalysis {
  const { format, width, height, channels, bitDepth } = header;
  const base = { format, width, height, channels, bitDepth, minSide: Math.min(width, height) };
  const headerGrey = channels <= 2;
  const decoded = decodePixels(bytes, header);
  if (!decoded.ok) {
    const warnings = decoded.warn ? [`${path}: the pixels were not analysed: ${decoded.reason}`] : [];
    return { image: create(ImageProfileSchema, { ...base, color: headerGrey ? "gray" : "color" }), warnings };
  }
  const { pixels } = decoded;
  const grey = headerGrey || allGrey(pixels);
  const image = create(ImageProfileSchema, {
    ...base,
    color: grey ? "gray" : "color",
    sharpness: laplacianVariance(pixels, ANALYZER_LIMITS.sharpnessSide),
    pixelsAnalyzed: pixels.width * pixels.height,
  });
  return { image, warnings: [] };
}
