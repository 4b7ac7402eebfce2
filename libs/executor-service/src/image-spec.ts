import { type ImagePreprocessing, ColorMode, TensorLayout } from "@modelrouter/contracts";
import { type FieldViolation, Violations } from "@modelrouter/errors";
import type { ImageSpec } from "./worker-protocol.js";

/** The largest width or height an image may be resized to, in pixels. */
export const MAX_IMAGE_SIDE = 4096;

const layouts: Readonly<Record<number, ImageSpec["layout"]>> = {
  [TensorLayout.NCHW]: "nchw",
  [TensorLayout.NHWC]: "nhwc",
  [TensorLayout.FLAT]: "flat",
};

/**
 * Checks an `ImagePreprocessing` and resolves its defaults (scale 0 ⇒ 1/255, empty mean ⇒ 0, empty std ⇒ 1,
 * a single mean or std value ⇒ the same for every channel). Returns the spec, or every problem with its path
 * relative to the `ImagePreprocessing` message.
 */
export function compileImageSpec(
  image: ImagePreprocessing,
): { readonly spec: ImageSpec } | { readonly violations: readonly FieldViolation[] } {
  const local = new Violations();
  for (const [field, value] of [["width", image.width], ["height", image.height]] as const) {
    if (value < 1 || value > MAX_IMAGE_SIDE) local.add(field, `must be 1 to ${MAX_IMAGE_SIDE} pixels, not ${value}`);
  }
  let channels: 1 | 3 = 1;
  if (image.colorMode === ColorMode.GRAYSCALE) channels = 1;
  else if (image.colorMode === ColorMode.RGB) channels = 3;
  else local.add("color_mode", "is required: COLOR_MODE_GRAYSCALE or COLOR_MODE_RGB");
  const layout = layouts[image.layout];
  if (layout === undefined) {
    local.add("layout", "is required: TENSOR_LAYOUT_NCHW, TENSOR_LAYOUT_NHWC or TENSOR_LAYOUT_FLAT");
  }
  if (!Number.isFinite(image.scale) || image.scale < 0) {
    local.add("scale", "must be a finite number, 0 or more (0 means 1/255)");
  }
  const mean = perChannel(image.mean, channels, 0, "mean", local);
  const std = perChannel(image.std, channels, 1, "std", local);
  image.std.forEach((value, i) => {
    if (value === 0) local.add(`std[${i}]`, "must not be 0: it divides");
  });
  if (!local.empty || layout === undefined) return { violations: local.items };
  const spec: ImageSpec = {
    width: image.width,
    height: image.height,
    channels,
    layout,
    scale: image.scale === 0 ? 1 / 255 : image.scale,
    mean,
    std,
    invert: image.invert,
  };
  return { spec };
}

function perChannel(
  values: readonly number[],
  channels: number,
  fallback: number,
  field: string,
  violations: Violations,
): number[] {
  values.forEach((value, i) => {
    if (!Number.isFinite(value)) violations.add(`${field}[${i}]`, "must be a finite number");
  });
  if (values.length === 0) return Array.from({ length: channels }, () => fallback);
  if (values.length === 1) return Array.from({ length: channels }, () => values[0] ?? fallback);
  if (values.length !== channels) {
    violations.add(field, `must have 0, 1 or ${channels} values (one per channel), not ${values.length}`);
  }
  return values.slice(0, channels);
}
