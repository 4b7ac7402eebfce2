import { ColorMode, TensorLayout, type ImagePreprocessing } from "@modelrouter/contracts";
import { decodeImage, type RgbaImage } from "./decode.js";
import { resizePlane } from "./resize.js";

/** The fields of `modelrouter.registry.v1.ImagePreprocessing` that shape the tensor (a proto message fits). */
export type PreprocessingSpec = Pick<
  ImagePreprocessing,
  "width" | "height" | "colorMode" | "layout" | "scale" | "mean" | "std" | "invert"
>;

/** A model input tensor: float32 data and its dimensions, batch of one. */
export interface InputTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/**
 * Channel planes of an image composited over black: one plane (gray) or three (R, G, B), 8-bit values.
 * Gray is round(0.299 R + 0.587 G + 0.114 B), except for 1- and 2-channel sources, whose gray is kept.
 */
export function channelPlanes(image: RgbaImage, mode: ColorMode): Uint8Array[] {
  const pixels = image.width * image.height;
  const rgb = [0, 1, 2].map(() => new Uint8Array(pixels));
  for (let p = 0; p < pixels; p++) {
    const alpha = image.rgba[p * 4 + 3] as number;
    for (let c = 0; c < 3; c++) {
      const v = image.rgba[p * 4 + c] as number;
      (rgb[c] as Uint8Array)[p] = alpha === 255 ? v : Math.round((v * alpha) / 255);
    }
  }
  if (mode === ColorMode.RGB) return rgb;
  if (mode !== ColorMode.GRAYSCALE) throw new Error(`unsupported colour mode ${mode}`);
  const [r, g, b] = rgb as [Uint8Array, Uint8Array, Uint8Array];
  if (image.channels <= 2) return [r];
  const gray = new Uint8Array(pixels);
  for (let p = 0; p < pixels; p++) {
    gray[p] = Math.round(0.299 * (r[p] as number) + 0.587 * (g[p] as number) + 0.114 * (b[p] as number));
  }
  return [gray];
}

/**
 * Turns channel planes (8-bit values, width × height each) into the model input: resize (see
 * {@link resizePlane}), optional invert (255 − v), value = v · scale (scale 0 ⇒ 1/255), then
 * (value − mean[c]) / std[c], laid out as NCHW, NHWC or FLAT ([1, H·W·C], in H, W, C order).
 */
export function planesToTensor(
  planes: readonly ArrayLike<number>[],
  width: number,
  height: number,
  spec: PreprocessingSpec,
): InputTensor {
  const W = spec.width;
  const H = spec.height;
  const C = planes.length;
  const scale = spec.scale === 0 ? 1 / 255 : spec.scale;
  const data = new Float32Array(W * H * C);
  planes.forEach((plane, c) => {
    const resized = resizePlane(plane, width, height, W, H);
    const mean = spec.mean[c] ?? spec.mean[0] ?? 0;
    const std = spec.std[c] ?? spec.std[0] ?? 1;
    for (let p = 0; p < W * H; p++) {
      const v = resized[p] as number;
      const value = ((spec.invert ? 255 - v : v) * scale - mean) / std;
      data[spec.layout === TensorLayout.NCHW ? c * W * H + p : p * C + c] = value;
    }
  });
  switch (spec.layout) {
    case TensorLayout.NCHW:
      return { data, dims: [1, C, H, W] };
    case TensorLayout.NHWC:
      return { data, dims: [1, H, W, C] };
    case TensorLayout.FLAT:
      return { data, dims: [1, H * W * C] };
    default:
      throw new Error(`unsupported tensor layout ${spec.layout}`);
  }
}

/** The whole preprocessing spec, from PNG/JPEG bytes to the model input tensor. */
export function preprocessImage(bytes: Uint8Array, spec: PreprocessingSpec): InputTensor {
  const image = decodeImage(bytes);
  return planesToTensor(channelPlanes(image, spec.colorMode), image.width, image.height, spec);
}
