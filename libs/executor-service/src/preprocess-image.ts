import type { ImagePreprocessing } from "@modelrouter/contracts";
import { invalidFields } from "@modelrouter/errors";
import { decodeImage } from "./image-decode.js";
import { compileImageSpec } from "./image-spec.js";
import { describeImageInput, imageTensorDims, imageToTensor } from "./image-tensor.js";
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from "./worker-protocol.js";

/** A model input made from an image: float32 values and their dimensions (batch of one). */
export interface PreprocessedImage {
  readonly data: Float32Array;
  /** `[1, C, H, W]` (NCHW), `[1, H, W, C]` (NHWC) or `[1, H·W·C]` (FLAT). */
  readonly dims: number[];
}

/**
 * The image pre-processing spec: turns PNG or JPEG bytes into the float32 tensor a model takes, as the
 * `ImagePreprocessing` of its catalogue entry says. This is the one implementation of the spec: the executor's
 * workers run the same building blocks on every image request, and the model-zoo trainer (tools/model-zoo)
 * makes its training and evaluation inputs with this function, so served inputs are bit-identical to the
 * inputs the models were trained and measured on.
 *
 * 1. decode PNG (pngjs) or JPEG (jpeg-js) to 8-bit RGBA, refusing images over `limits` from their headers,
 *    before allocating them, and truncated or corrupt ones from their structure;
 * 2. composite over black, `round(c · a / 255)`; gray = `round(0.299 R + 0.587 G + 0.114 B)`;
 * 3. resize each channel to width × height: area averaging when shrinking in both axes, else bilinear with
 *    half-pixel centres (`src = (dst + 0.5) · in/out − 0.5`, clamped), to float32, not rounded;
 * 4. optional invert (`255 − v`); `(v · scale − mean[c]) / std[c]` (scale 0 ⇒ 1/255, empty mean ⇒ 0, empty
 *    std ⇒ 1, a single value ⇒ every channel);
 * 5. layout NCHW, NHWC or FLAT (pixel-major, channels interleaved).
 *
 * Pure and synchronous: no I/O, no shared state.
 *
 * @param limits defaults: {@link DEFAULT_IMAGE_LIMITS} (25 million pixels, 256 MiB for the JPEG decoder).
 * @throws DomainError INVALID_FIELD listing every bad field of `preprocessing` (paths relative to the
 *   `ImagePreprocessing` message, for example `color_mode`); INVALID_FIELD naming `data` when the bytes are
 *   not an image, are truncated or corrupt, or exceed the limits; PAYLOAD_UNSUPPORTED naming `data` when they
 *   are an image of a format the executor does not decode (GIF, WebP, BMP …).
 */
export function preprocessImage(
  bytes: Uint8Array,
  preprocessing: ImagePreprocessing,
  limits: Partial<ImageLimits> = {},
): PreprocessedImage {
  const compiled = compileImageSpec(preprocessing);
  if ("violations" in compiled) throw invalidFields("invalid image pre-processing", compiled.violations);
  const { spec } = compiled;
  const image = decodeImage(bytes, { ...DEFAULT_IMAGE_LIMITS, ...limits }, { field: "data", expects: describeImageInput(spec) });
  return { data: imageToTensor(image, spec), dims: imageTensorDims(spec) };
}
