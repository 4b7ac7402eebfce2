import type { RgbaImage } from "./image-decode.js";
import { resizeChannel } from "./resize.js";
import type { ImageSpec } from "./worker-protocol.js";

/** The dimensions of the tensor an image spec makes. */
export function imageTensorDims(spec: ImageSpec): number[] {
  const { width: w, height: h, channels: c } = spec;
  switch (spec.layout) {
    case "nchw":
      return [1, c, h, w];
    case "nhwc":
      return [1, h, w, c];
    case "flat":
      return [1, h * w * c];
  }
}

/** Says what an image becomes, for example "a [1, 1, 28, 28] grayscale float32 tensor of the image resized to 28×28". */
export function describeImageInput(spec: ImageSpec): string {
  const kind = spec.channels === 1 ? "grayscale" : "RGB";
  return `a [${imageTensorDims(spec).join(", ")}] ${kind} float32 tensor of the image resized to ${spec.width}×${spec.height}`;
}

/**
 * Turns a decoded image into the model's float32 input, exactly as models are trained against:
 *
 * 1. alpha-composite over black: `c' = round(c · a / 255)`, still 8-bit;
 * 2. grayscale: `gray = round(0.299 R' + 0.587 G' + 0.114 B')` (half up); RGB keeps the three channels;
 * 3. resize each channel to width × height ({@link resizeChannel}: area averaging when shrinking in both axes,
 *    else bilinear with half-pixel centres), to float32;
 * 4. invert if asked: `v = 255 − v`;
 * 5. `value = (v · scale − mean[c]) / std[c]`;
 * 6. layout NCHW `[1, C, H, W]`, NHWC `[1, H, W, C]` or FLAT `[1, H·W·C]` (pixel-major, channels interleaved).
 *
 * The arithmetic (operation order, float32 intermediate) is part of the spec: the model-zoo trainer makes its
 * inputs through `preprocessImage` (preprocess-image.ts), which composes this function, so served inputs are
 * bit-identical to the training inputs.
 */
export function imageToTensor(image: RgbaImage, spec: ImageSpec): Float32Array {
  const planes = toPlanes(image, spec.channels);
  const { width: w, height: h, channels: c } = spec;
  const out = new Float32Array(w * h * c);
  for (let ch = 0; ch < c; ch++) {
    const resized = resizeChannel(planes[ch] as Uint8Array, image.width, image.height, w, h);
    const mean = spec.mean[ch] ?? 0;
    const std = spec.std[ch] ?? 1;
    for (let i = 0; i < w * h; i++) {
      const raw = resized[i] as number;
      const v = spec.invert ? 255 - raw : raw;
      const value = (v * spec.scale - mean) / std;
      out[spec.layout === "nchw" ? ch * w * h + i : i * c + ch] = value;
    }
  }
  return out;
}

function toPlanes(image: RgbaImage, channels: 1 | 3): Uint8Array[] {
  const n = image.width * image.height;
  const rgba = image.rgba;
  const rgb = [new Uint8Array(n), new Uint8Array(n), new Uint8Array(n)] as const;
  for (let i = 0; i < n; i++) {
    const alpha = rgba[i * 4 + 3] as number;
    for (let c = 0; c < 3; c++) {
      const v = rgba[i * 4 + c] as number;
      (rgb[c] as Uint8Array)[i] = alpha === 255 ? v : Math.round((v * alpha) / 255);
    }
  }
  if (channels === 3) return [...rgb];
  const gray = new Uint8Array(n);
  const [r, g, b] = rgb;
  for (let i = 0; i < n; i++) {
    gray[i] = Math.round(0.299 * (r[i] as number) + 0.587 * (g[i] as number) + 0.114 * (b[i] as number));
  }
  return [gray];
}
