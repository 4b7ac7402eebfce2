import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ColorMode, TensorLayout } from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import jpeg from "jpeg-js";
import {
  type TempModelRoot,
  type TestExecutor,
  createTempModelRoot,
  executeRequest,
  grayPng,
  imagePayload,
  imagePreprocessing,
  pngImage,
  rejectionOf,
  startTestExecutor,
  tensorOf,
} from "./executor.test-support.js";
import { identityModel } from "./onnx-model.test-support.js";

/**
 * Pre-processing is checked pixel by pixel through the whole service: each image goes through a real
 * identity ONNX model (output = input), so the response is exactly the tensor the worker made.
 */
describe("image pre-processing", () => {
  let root: TempModelRoot;
  let executor: TestExecutor;

  beforeAll(async () => {
    root = await createTempModelRoot();
    await root.write("image4d.onnx", identityModel("float32", ["n", "a", "b", "c"]));
    await root.write("image2d.onnx", identityModel("float32", ["n", "k"]));
    await root.write("fixed28.onnx", identityModel("float32", [1, 1, 28, 28]));
    executor = await startTestExecutor(root.dir, { imageLimits: { maxPixels: 10_000 } });
  });

  afterAll(async () => {
    await executor?.close();
    await root?.remove();
  });

  const run = async (
    image: Uint8Array,
    settings: Parameters<typeof imagePreprocessing>[0],
    uri = "image4d.onnx",
  ): Promise<{ shape: number[]; values: number[] }> =>
    tensorOf(
      await executor.client.execute(
        executeRequest({ uri, preprocessing: imagePreprocessing(settings) }, imagePayload(image)),
      ),
    );

  describe("colour", () => {
    it("converts to gray as round(0.299 R + 0.587 G + 0.114 B)", async () => {
      const image = pngImage(3, 1, [200, 100, 50, 255, 0, 0, 255, 255, 1, 2, 2, 255]);
      const { shape, values } = await run(image, { width: 3, height: 1 });
      expect(shape).toEqual([1, 1, 1, 3]);
      // 59.8 + 58.7 + 5.7 = 124.2; 0.114·255 = 29.07; 0.299 + 1.174 + 0.228 = 1.701
      expect(values).toEqual([124, 29, 2]);
    });

    it("composites a translucent pixel over black, rounded to 8 bits, before converting", async () => {
      const image = pngImage(3, 1, [200, 100, 50, 128, 255, 255, 255, 0, 101, 101, 101, 128]);
      // R' = round(200·128/255) = round(100.39) = 100, G' = 50, B' = 25; a transparent pixel is black;
      // gray 101 at alpha 128 is round(50.70) = 51
      const rgb = await run(image, { width: 3, height: 1, colorMode: ColorMode.RGB, layout: TensorLayout.NHWC });
      expect(rgb.values).toEqual([100, 50, 25, 0, 0, 0, 51, 51, 51]);
      // round(29.9 + 29.35 + 2.85) = round(62.1) = 62
      const gray = await run(image, { width: 3, height: 1 });
      expect(gray.values).toEqual([62, 0, 51]);
    });
  });

  describe("resizing", () => {
    const ramp3x3 = grayPng(3, 3, [10, 20, 30, 40, 50, 60, 70, 80, 90]);

    it("keeps an image of the target size as it is", async () => {
      const { values } = await run(ramp3x3, { width: 3, height: 3 });
      expect(values).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    });

    it("shrinks by whole factors as the mean of each block", async () => {
      const image = grayPng(4, 4, [0, 2, 10, 20, 4, 6, 30, 40, 100, 100, 1, 1, 100, 100, 1, 5]);
      const { values } = await run(image, { width: 2, height: 2 });
      expect(values).toEqual([3, 25, 100, 2]);
    });

    it("shrinks by fractional factors weighting each source pixel by the part of it that is covered", async () => {
      // 3 → 2: output pixel 0 covers source [0, 1.5): pixel 0 fully and half of pixel 1, in both axes
      const { values } = await run(ramp3x3, { width: 2, height: 2 });
      const expected = [70 / 3, 110 / 3, 190 / 3, 230 / 3];
      values.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 4));
    });

    it("grows bilinearly with half-pixel centres, repeating the edge pixels", async () => {
      // src = (dst + 0.5)·2/4 − 0.5 = −0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1)
      const image = grayPng(2, 2, [0, 100, 200, 40]);
      const { values } = await run(image, { width: 4, height: 4 });
      expect(values).toEqual([
        0, 25, 75, 100, 50, 58.75, 76.25, 85, 150, 126.25, 78.75, 55, 200, 160, 80, 40,
      ]);
    });

    it("interpolates bilinearly when one axis shrinks and the other grows", async () => {
      // width 4 → 2: src x = 0.5, 2.5; height 1 → 2: the row repeats
      const image = grayPng(4, 1, [0, 10, 20, 40]);
      const { values } = await run(image, { width: 2, height: 2 });
      expect(values).toEqual([5, 30, 5, 30]);
    });
  });

  describe("values", () => {
    it("inverts to 255 − v before scaling", async () => {
      const { values } = await run(grayPng(2, 1, [0, 200]), { width: 2, height: 1, invert: true, scale: 2 });
      expect(values).toEqual([510, 110]);
    });

    it("scales by 1/255 when the scale is 0", async () => {
      const { values } = await run(grayPng(2, 1, [255, 51]), { width: 2, height: 1, scale: 0 });
      expect(values[0]).toBeCloseTo(1, 6);
      expect(values[1]).toBeCloseTo(0.2, 6);
    });

    it("subtracts the mean and divides by the std of each channel", async () => {
      const image = pngImage(1, 1, [255, 0, 51, 255]);
      const { values } = await run(image, {
        width: 1,
        height: 1,
        colorMode: ColorMode.RGB,
        scale: 0,
        mean: [0.5, 0.5, 0.5],
        std: [0.5, 0.25, 0.2],
      });
      [1, -2, -1.5].forEach((want, i) => expect(values[i]).toBeCloseTo(want, 5));
    });

    it("applies a single mean and std to every channel", async () => {
      const image = pngImage(1, 1, [10, 20, 30, 255]);
      const { values } = await run(image, { width: 1, height: 1, colorMode: ColorMode.RGB, mean: [10], std: [2] });
      expect(values).toEqual([0, 5, 10]);
    });
  });

  describe("layouts", () => {
    const twoPixels = pngImage(2, 1, [1, 2, 3, 255, 4, 5, 6, 255]);
    const rgb = { width: 2, height: 1, colorMode: ColorMode.RGB };

    it("lays NCHW out as [1, C, H, W], one plane per channel", async () => {
      expect(await run(twoPixels, { ...rgb, layout: TensorLayout.NCHW })).toEqual({
        shape: [1, 3, 1, 2],
        values: [1, 4, 2, 5, 3, 6],
      });
    });

    it("lays NHWC out as [1, H, W, C], channels interleaved", async () => {
      expect(await run(twoPixels, { ...rgb, layout: TensorLayout.NHWC })).toEqual({
        shape: [1, 1, 2, 3],
        values: [1, 2, 3, 4, 5, 6],
      });
    });

    it("lays FLAT out as [1, H·W·C] in NHWC order", async () => {
      expect(await run(twoPixels, { ...rgb, layout: TensorLayout.FLAT }, "image2d.onnx")).toEqual({
        shape: [1, 6],
        values: [1, 2, 3, 4, 5, 6],
      });
    });
  });

  describe("decoding", () => {
    it("decodes JPEG images", async () => {
      const flat = jpeg.encode({ width: 8, height: 8, data: Buffer.alloc(8 * 8 * 4, 128) }, 95);
      const { values } = await run(new Uint8Array(flat.data), { width: 2, height: 2 });
      for (const v of values) expect(Math.abs(v - 128)).toBeLessThanOrEqual(2);
    });

    it("refuses bytes that are not an image, naming the field (more in image-payloads.spec.ts)", async () => {
      const error = await rejectionOf(run(new TextEncoder().encode("hello, world"), { width: 28, height: 28 }));
      expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
      expect(error["reason"]).toBe("INVALID_FIELD");
      expect(error["violations"]).toEqual([
        { field: "payload.image.data", description: expect.stringContaining("is not a PNG or JPEG image") },
      ]);
    });

    it("refuses a PNG that is cut short", async () => {
      const png = grayPng(8, 8, new Array<number>(64).fill(7));
      const error = await rejectionOf(run(png.subarray(0, png.length - 20), { width: 2, height: 2 }));
      expect(error["reason"]).toBe("INVALID_FIELD");
      expect(error.message).toContain("the PNG image is truncated or corrupt");
    });

    it("refuses an image with more pixels than the limit before decoding it", async () => {
      const error = await rejectionOf(run(grayPng(101, 100, new Array<number>(10_100).fill(0)), { width: 2, height: 2 }));
      expect(error["reason"]).toBe("INVALID_FIELD");
      expect(error.message).toContain("the PNG image is 101×100 pixels, more than the executor's limit of 10000 pixels");
    });

    it("reports a pre-processing that does not fit the model's input as the model's problem", async () => {
      const error = await rejectionOf(run(grayPng(1, 1, [0]), { width: 14, height: 14 }, "fixed28.onnx"));
      expect(error["code"]).toBe(Code.UNAVAILABLE);
      expect(error["reason"]).toBe("MODEL_UNAVAILABLE");
      expect(error.message).toContain('makes a float32 [1, 1, 14, 14] tensor but its input "x" takes float32 [1, 1, 28, 28]');
    });
  });
});
