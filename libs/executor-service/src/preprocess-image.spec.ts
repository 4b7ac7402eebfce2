import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { ColorMode, type ImagePreprocessing, ImagePreprocessingSchema, TensorLayout } from "@modelrouter/contracts";
import { DomainError } from "@modelrouter/errors";
import {
  type TempModelRoot,
  type TestExecutor,
  createTempModelRoot,
  executeRequest,
  grayPng,
  imagePayload,
  pngImage,
  startTestExecutor,
  tensorOf,
} from "./executor.test-support.js";
import { identityModel } from "./onnx-model.test-support.js";
import { preprocessImage } from "./index.js";
import { DEFAULT_IMAGE_LIMITS } from "./worker-protocol.js";

type Settings = Partial<Omit<ImagePreprocessing, "$typeName">>;

const preprocessing = (init: Settings): ImagePreprocessing =>
  create(ImagePreprocessingSchema, { colorMode: ColorMode.GRAYSCALE, layout: TensorLayout.NCHW, scale: 1, ...init });

const thrown = (run: () => unknown): DomainError => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected preprocessImage to throw");
};

/** A 5×4 RGBA image with varied colours and some translucent pixels. */
const colourful = pngImage(
  5,
  4,
  Array.from({ length: 20 }, (_, p) => [(p * 53) % 256, (p * 97 + 11) % 256, (p * 31 + 200) % 256, p % 3 === 0 ? 128 : 255]).flat(),
);

describe("preprocessImage", () => {
  describe("is the tensor the executor feeds its models", () => {
    let root: TempModelRoot;
    let executor: TestExecutor;

    beforeAll(async () => {
      root = await createTempModelRoot();
      await root.write("image4d.onnx", identityModel("float32", ["n", "a", "b", "c"]));
      await root.write("image2d.onnx", identityModel("float32", ["n", "k"]));
      executor = await startTestExecutor(root.dir);
    });

    afterAll(async () => {
      await executor?.close();
      await root?.remove();
    });

    it.each<[string, Settings]>([
      ["gray, upscaled bilinearly, NCHW", { width: 9, height: 7 }],
      ["gray, area-averaged down, inverted, scaled by 1/255, FLAT", { width: 3, height: 2, invert: true, scale: 0, layout: TensorLayout.FLAT }],
      [
        "RGB, one axis shrunk and the other grown, mean and std per channel, NHWC",
        { width: 3, height: 6, colorMode: ColorMode.RGB, layout: TensorLayout.NHWC, scale: 0, mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] },
      ],
      ["RGB, same size, NCHW", { width: 5, height: 4, colorMode: ColorMode.RGB, mean: [10], std: [3] }],
    ])("value for value and dimension for dimension: %s", async (_name, settings) => {
      const uri = settings.layout === TensorLayout.FLAT ? "image2d.onnx" : "image4d.onnx";
      const served = tensorOf(
        await executor.client.execute(
          executeRequest({ uri, preprocessing: { kind: { case: "image", value: preprocessing(settings) } } }, imagePayload(colourful)),
        ),
      );
      const local = preprocessImage(colourful, preprocessing(settings));
      expect(local.dims).toEqual(served.shape);
      expect(Array.from(local.data)).toEqual(served.values);
    });
  });

  it("gives the dimensions of each layout, batch of one", () => {
    const image = grayPng(2, 2, [0, 1, 2, 3]);
    const rgb = { width: 4, height: 3, colorMode: ColorMode.RGB };
    expect(preprocessImage(image, preprocessing({ ...rgb, layout: TensorLayout.NCHW })).dims).toEqual([1, 3, 3, 4]);
    expect(preprocessImage(image, preprocessing({ ...rgb, layout: TensorLayout.NHWC })).dims).toEqual([1, 3, 4, 3]);
    expect(preprocessImage(image, preprocessing({ ...rgb, layout: TensorLayout.FLAT })).dims).toEqual([1, 36]);
  });

  it("reports every bad field of the pre-processing at once, with its path in the message", () => {
    const error = thrown(() =>
      preprocessImage(grayPng(1, 1, [0]), preprocessing({ width: 0, colorMode: ColorMode.UNSPECIFIED, std: [0] })),
    );
    expect(error.reason).toBe("INVALID_FIELD");
    expect(error.violations.map((v) => v.field)).toEqual(["width", "height", "color_mode", "std[0]"]);
    expect(error.message).toContain("color_mode: is required");
  });

  it("refuses bytes that are not an image, naming them `data`", () => {
    const error = thrown(() => preprocessImage(new TextEncoder().encode("hello"), preprocessing({ width: 28, height: 28 })));
    expect(error.reason).toBe("INVALID_FIELD");
    expect(error.violations).toEqual([
      { field: "data", description: "is not a PNG or JPEG image (it starts with 68 65 6c 6c 6f): send a PNG or JPEG image" },
    ]);
  });

  it("decodes images up to the default limits unless given others", () => {
    const image = grayPng(101, 100, new Array<number>(10_100).fill(9));
    expect(DEFAULT_IMAGE_LIMITS.maxPixels).toBeGreaterThan(10_100);
    expect(Array.from(preprocessImage(image, preprocessing({ width: 1, height: 1 })).data)).toEqual([9]);
    const error = thrown(() => preprocessImage(image, preprocessing({ width: 1, height: 1 }), { maxPixels: 10_000 }));
    expect(error.reason).toBe("INVALID_FIELD");
    expect(error.message).toContain("101×100 pixels, more than the executor's limit of 10000");
    expect(error.message).toContain("the model takes a [1, 1, 1, 1] grayscale float32 tensor of the image resized to 1×1");
  });
});
