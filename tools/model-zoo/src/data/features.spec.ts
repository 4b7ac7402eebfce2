import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { ColorMode, ImagePreprocessingSchema, TensorLayout, type ImagePreprocessing } from "@modelrouter/contracts";
import { preprocessImage } from "@modelrouter/executor-service";
import { encodeGrayPng } from "../image/png.js";
import { imageFeatures } from "./features.js";
import type { ImageSet } from "./image-set.js";

const preprocessing = (init: Partial<Omit<ImagePreprocessing, "$typeName">>): ImagePreprocessing =>
  create(ImagePreprocessingSchema, { colorMode: ColorMode.GRAYSCALE, layout: TensorLayout.NCHW, scale: 0, ...init });

const set: ImageSet = {
  name: "t",
  width: 8,
  height: 8,
  count: 3,
  pixels: Uint8Array.from({ length: 192 }, (_, i) => (i * 37) % 256),
  labels: Uint8Array.from([1, 2, 3]),
};

describe("imageFeatures", () => {
  it("makes each image's input as the executor serves the image's PNG file", () => {
    const upscale = preprocessing({ width: 28, height: 28 });
    const features = imageFeatures(set, upscale);
    expect(features.count).toBe(3);
    expect(features.sampleShape).toEqual([1, 28, 28]);
    expect(features.labels).toEqual(set.labels);
    expect(features.inputs).toHaveLength(3 * 28 * 28);
    for (let i = 0; i < set.count; i++) {
      const served = preprocessImage(encodeGrayPng(set.pixels.subarray(i * 64, (i + 1) * 64), 8, 8), upscale);
      expect(features.inputs.subarray(i * 784, (i + 1) * 784)).toEqual(served.data);
    }
  });

  it("keeps the gray values of an image at its own size, scaled, in the catalogue layout", () => {
    const features = imageFeatures(set, preprocessing({ width: 8, height: 8, layout: TensorLayout.FLAT, scale: 16 / 255 }));
    expect(features.sampleShape).toEqual([64]);
    expect(Array.from(features.inputs)).toEqual(Array.from(set.pixels, (v) => Math.fround(v * (16 / 255))));
  });
});
