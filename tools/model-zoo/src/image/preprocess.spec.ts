import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { ColorMode, ImagePreprocessingSchema, TensorLayout, type ImagePreprocessing } from "@modelrouter/contracts";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { featuresFromPixels, featuresFromPngs } from "../data/features.js";
import type { ImageSet } from "../data/image-set.js";
import { decodeImage } from "./decode.js";
import { encodeGrayPng } from "./png.js";
import { preprocessImage } from "./preprocess.js";
import { resizePlane } from "./resize.js";

function rgbaPng(width: number, height: number, rgba: number[], colorType: 2 | 6): Uint8Array {
  const png = new PNG({ width, height, colorType });
  png.data = Buffer.from(rgba);
  return new Uint8Array(PNG.sync.write(png, { colorType }));
}

const spec = (init: Partial<Omit<ImagePreprocessing, "$typeName">>): ImagePreprocessing =>
  create(ImagePreprocessingSchema, { colorMode: ColorMode.GRAYSCALE, layout: TensorLayout.FLAT, scale: 1, ...init });

const values = (data: Float32Array): number[] => Array.from(data, (v) => Number(v.toFixed(4)));

describe("resizePlane", () => {
  it("averages whole blocks when shrinking by an integer factor", () => {
    const src = [1, 3, 10, 20, 5, 7, 30, 40, 0, 0, 2, 2, 0, 4, 2, 2];
    expect(values(resizePlane(src, 4, 4, 2, 2))).toEqual([4, 25, 1, 2]);
  });

  it("weights partly covered pixels by the covered fraction when shrinking by a fractional factor", () => {
    const src = [9, 0, 0, 0, 0, 0, 0, 0, 0];
    // Output (0,0) covers x, y ∈ [0, 1.5): pixel (0,0) fully (weight 1 of 2.25).
    expect(values(resizePlane(src, 3, 3, 2, 2))).toEqual([4, 0, 0, 0]);
    const ones = [0, 9, 0, 0, 0, 0, 0, 0, 0];
    // Pixel (1,0) is half inside output (0,0) and half inside (1,0): 9 · 0.5 / 2.25 = 2.
    expect(values(resizePlane(ones, 3, 3, 2, 2))).toEqual([2, 2, 0, 0]);
  });

  it("interpolates bilinearly with half-pixel centres, clamped to the edge, when growing", () => {
    expect(values(resizePlane([0, 100], 2, 1, 4, 1))).toEqual([0, 25, 75, 100]);
    expect(values(resizePlane([0, 100, 100, 200], 2, 2, 4, 4)).slice(0, 4)).toEqual([0, 25, 75, 100]);
  });

  it("keeps an image of the same size unchanged, and uses bilinear when only one axis shrinks", () => {
    const src = [5, 6, 7, 8, 9, 10];
    expect(values(resizePlane(src, 3, 2, 3, 2))).toEqual(src);
    expect(values(resizePlane([0, 100, 0, 100], 4, 1, 2, 2))).toEqual([50, 50, 50, 50]);
  });
});

describe("preprocessImage", () => {
  it("converts colour to gray as round(0.299 R + 0.587 G + 0.114 B)", () => {
    const png = rgbaPng(3, 1, [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255], 6);
    expect(Array.from(preprocessImage(png, spec({ width: 3, height: 1 })).data)).toEqual([76, 150, 29]);
  });

  it("composites transparent pixels over black before converting", () => {
    const png = rgbaPng(2, 1, [200, 200, 200, 128, 200, 200, 200, 0], 6);
    expect(Array.from(preprocessImage(png, spec({ width: 2, height: 1 })).data)).toEqual([100, 0]);
  });

  it("keeps the gray value of grayscale PNGs and applies invert, scale, mean and std", () => {
    const png = encodeGrayPng(Uint8Array.from([0, 51, 255, 102]), 2, 2);
    expect(values(preprocessImage(png, spec({ width: 2, height: 2, scale: 0 })).data)).toEqual([0, 0.2, 1, 0.4]);
    const normalised = preprocessImage(png, spec({ width: 2, height: 2, scale: 0, invert: true, mean: [0.5], std: [0.5] }));
    expect(values(normalised.data)).toEqual([1, 0.6, -1, 0.2]);
    expect(normalised.dims).toEqual([1, 4]);
  });

  it("lays out RGB channels as NCHW planes, or interleaved for NHWC and FLAT", () => {
    const png = rgbaPng(2, 1, [1, 2, 3, 255, 4, 5, 6, 255], 2);
    const rgb = (layout: TensorLayout) =>
      preprocessImage(png, spec({ width: 2, height: 1, colorMode: ColorMode.RGB, layout }));
    expect(rgb(TensorLayout.NCHW)).toEqual({ data: Float32Array.from([1, 4, 2, 5, 3, 6]), dims: [1, 3, 1, 2] });
    expect(rgb(TensorLayout.NHWC)).toEqual({ data: Float32Array.from([1, 2, 3, 4, 5, 6]), dims: [1, 1, 2, 3] });
    expect(rgb(TensorLayout.FLAT)).toEqual({ data: Float32Array.from([1, 2, 3, 4, 5, 6]), dims: [1, 6] });
  });

  it("decodes JPEG files too", () => {
    const data = Buffer.alloc(8 * 8 * 4, 128);
    const file = jpeg.encode({ width: 8, height: 8, data }, 100).data;
    const image = decodeImage(new Uint8Array(file));
    expect([image.width, image.height, image.channels]).toEqual([8, 8, 3]);
    const out = preprocessImage(new Uint8Array(file), spec({ width: 4, height: 4 }));
    for (const v of out.data) expect(Math.abs(v - 128)).toBeLessThanOrEqual(2);
  });

  it("rejects bytes that are neither PNG nor JPEG", () => {
    expect(() => decodeImage(Uint8Array.from([1, 2, 3, 4]))).toThrow("not a PNG or JPEG image");
  });
});

describe("features", () => {
  it("makes the same training inputs from raw pixels as from the stored PNG files", () => {
    const set: ImageSet = {
      name: "t",
      width: 8,
      height: 8,
      count: 3,
      pixels: Uint8Array.from({ length: 192 }, (_, i) => (i * 37) % 256),
      labels: Uint8Array.from([1, 2, 3]),
    };
    const upscale = spec({ width: 28, height: 28, layout: TensorLayout.NCHW, scale: 0 });
    expect(featuresFromPngs(set, upscale)).toEqual(featuresFromPixels(set, upscale));
    expect(featuresFromPngs(set, upscale).sampleShape).toEqual([1, 28, 28]);
  });
});
