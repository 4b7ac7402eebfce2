import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { ColorMode, ImagePreprocessingSchema, TensorLayout } from "@modelrouter/contracts";
import { DomainError } from "@modelrouter/errors";
import { loadSampleIndex } from "@modelrouter/model-zoo";
import { Code } from "@modelrouter/rpc-kit";
import {
  type TempModelRoot,
  type TestExecutor,
  createTempModelRoot,
  executeRequest,
  grayPng,
  imagePayload,
  imagePreprocessing,
  rejectionOf,
  startTestExecutor,
  tensorOf,
} from "./executor.test-support.js";
import {
  craftPng,
  jpegDeclaring,
  jpegWithFrameMarker,
  jpegWithScans,
  smallJpeg,
  undecodableImages,
} from "./image-bytes.test-support.js";
import { preprocessImage } from "./index.js";
import { DEFAULT_IMAGE_LIMITS } from "./worker-protocol.js";
import { identityModel } from "./onnx-model.test-support.js";

const expects = "a [1, 1, 2, 2] grayscale float32 tensor of the image resized to 2×2";
const sample = readFileSync(loadSampleIndex().find((s) => s.kind === "mnist")?.path ?? "");

/** What preprocessImage (the workers' own pipeline) throws for `bytes`. */
function refusalOf(bytes: Uint8Array): DomainError {
  try {
    preprocessImage(bytes, create(ImagePreprocessingSchema, { width: 2, height: 2, colorMode: ColorMode.GRAYSCALE, layout: TensorLayout.NCHW }));
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected the image to be refused");
}

describe("images the executor cannot decode fail cleanly", () => {
  let root: TempModelRoot;
  let executor: TestExecutor;

  beforeAll(async () => {
    root = await createTempModelRoot();
    await root.write("image4d.onnx", identityModel("float32", ["n", "a", "b", "c"]));
    executor = await startTestExecutor(root.dir);
  });

  afterAll(async () => {
    await executor?.close();
    await root?.remove();
  });

  const run = (image: Uint8Array, kind: "image" | "binary" = "image") =>
    executor.client.execute(
      executeRequest(
        { uri: "image4d.onnx", preprocessing: imagePreprocessing({ width: 2, height: 2 }) },
        kind === "image" ? imagePayload(image) : { kind: { case: "binary", value: { data: image } } },
      ),
    );

  const violationOf = (error: Record<string, unknown>) => (error["violations"] as { field: string; description: string }[])[0];

  describe("a truncated or corrupt PNG is INVALID_ARGUMENT naming payload.image.data, in our words", () => {
    it("a zoo sample cut short at any byte", () => {
      expect(sample.length).toBeGreaterThan(100);
      for (let length = 8; length < sample.length; length++) {
        const error = refusalOf(sample.subarray(0, length));
        expect([length, error.reason]).toEqual([length, "INVALID_FIELD"]);
        expect(error.violations).toHaveLength(1);
        expect(error.violations[0]?.field).toBe("data");
        expect(error.violations[0]?.description).toMatch(/^the PNG image is truncated or corrupt: .+; send the complete image file$/);
      }
    });

    it.each([
      [20, "it ends after 20 bytes, before its 33-byte signature and IHDR header"],
      [60, "it ends after 60 bytes, inside its IDAT chunk (which ends at byte"],
      [sample.length - 1, `it ends after ${sample.length - 1} bytes, inside its IEND chunk`],
    ])("cut at byte %i, through the service", async (length, detail) => {
      const error = await rejectionOf(run(sample.subarray(0, length)));
      expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
      expect(error["reason"]).toBe("INVALID_FIELD");
      expect(violationOf(error)?.field).toBe("payload.image.data");
      expect(violationOf(error)?.description).toContain(`the PNG image is truncated or corrupt: ${detail}`);
      expect(error.message).toContain("invalid image: payload.image.data: the PNG image is truncated or corrupt");
    });

    it("names payload.binary.data for a binary payload", async () => {
      const error = await rejectionOf(run(sample.subarray(0, 60), "binary"));
      expect(violationOf(error)?.field).toBe("payload.binary.data");
    });

    it("a chunk whose CRC does not match", async () => {
      const damaged = new Uint8Array(sample);
      damaged[45] = (damaged[45] ?? 0) ^ 0xff;
      const error = await rejectionOf(run(damaged));
      expect(violationOf(error)?.description).toMatch(/^the PNG image is truncated or corrupt: its IDAT chunk at byte \d+ fails its CRC check/);
    });

    it("a PNG whose image data is too short for its size is refused, not decoded as a blank image", async () => {
      const error = await rejectionOf(run(craftPng({ width: 4096, height: 4096 }, new Uint8Array(10))));
      expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
      expect(violationOf(error)?.description).toBe(
        "the PNG image is truncated or corrupt: its image data holds 10 bytes, but a 4096×4096 image has 16781312; send the complete image file",
      );
    });

    it("an interlaced PNG whose image data inflates past its size is refused after its size, not inflated to the end", async () => {
      const error = await rejectionOf(run(craftPng({ width: 1, height: 1, interlaced: true }, new Uint8Array(16 * 1024 * 1024))));
      expect(violationOf(error)?.description).toBe(
        "the PNG image is truncated or corrupt: its image data holds more than the 2 bytes a 1×1 image has; send the complete image file",
      );
    });

    it("a row with an unknown filter type", async () => {
      const error = await rejectionOf(run(craftPng({ width: 2, height: 1 }, new Uint8Array([9, 0, 0]))));
      expect(violationOf(error)?.description).toContain("its image data has an unknown filter type 9 at byte 0");
    });
  });

  describe("an image larger than the limits is refused from its header, before it is decoded", () => {
    it("a small PNG declaring 100000×100000 pixels", async () => {
      const png = craftPng({ width: 100_000, height: 100_000 }, new Uint8Array(100));
      expect(png.length).toBeLessThan(100);
      const error = await rejectionOf(run(png));
      expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
      expect(error["reason"]).toBe("INVALID_FIELD");
      expect(violationOf(error)).toEqual({
        field: "payload.image.data",
        description:
          `the PNG image is 100000×100000 pixels, more than the executor's limit of ${DEFAULT_IMAGE_LIMITS.maxPixels} pixels: ` +
          `send a smaller image (the model takes ${expects})`,
      });
    });

    it("a JPEG declaring 60000×60000 pixels", async () => {
      const error = await rejectionOf(run(jpegDeclaring(60_000, 60_000)));
      expect(violationOf(error)?.description).toContain("the JPEG image is 60000×60000 pixels, more than the executor's limit");
    });

    it("a JPEG with more scans than the decoder should walk", () => {
      expect(() => refusalOf(jpegWithScans(100))).not.toThrow(/scans/);
      expect(refusalOf(jpegWithScans(101)).violations[0]?.description).toBe(
        "the JPEG image has more than 100 scans, the executor's limit: send a smaller image (the model takes " + expects + ")",
      );
    });
  });

  describe("a truncated JPEG", () => {
    it("is INVALID_ARGUMENT in our words, never the decoder's", async () => {
      const jpeg = smallJpeg();
      for (const length of [3, 30, Math.floor(jpeg.length / 2), jpeg.length - 2]) {
        const error = refusalOf(jpeg.subarray(0, length));
        expect([length, error.reason]).toEqual([length, "INVALID_FIELD"]);
        expect(error.violations[0]?.description).toMatch(/^the JPEG image is truncated or corrupt: (it has no frame header|its compressed image data could not be decoded)/);
        expect(error.message).not.toMatch(/marker [0-9a-f]+$|undefined|Cannot/);
      }
      const error = await rejectionOf(run(jpeg.subarray(0, jpeg.length / 2)));
      expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
      expect(violationOf(error)?.field).toBe("payload.image.data");
    });
  });

  describe("a format the executor does not decode is INVALID_ARGUMENT naming payload.image.data and the formats it does", () => {
    it.each(Object.entries(undecodableImages))("%s", async (format, bytes) => {
      const error = await rejectionOf(run(bytes));
      expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
      expect(error["reason"]).toBe("PAYLOAD_UNSUPPORTED");
      expect(violationOf(error)).toEqual({
        field: "payload.image.data",
        description: `is a ${format} image, which the executor does not decode: send a PNG or JPEG image (the model takes ${expects})`,
      });
    });

    it("a lossless JPEG", () => {
      const error = refusalOf(jpegWithFrameMarker(0xc3));
      expect(error.reason).toBe("PAYLOAD_UNSUPPORTED");
      expect(error.violations[0]?.description).toBe(
        "the JPEG image uses a JPEG coding process (SOF3) the executor does not decode: send a baseline or progressive JPEG, or a PNG",
      );
    });

    it("bytes that are no image at all", async () => {
      const error = await rejectionOf(run(new TextEncoder().encode("hello, world")));
      expect(error["reason"]).toBe("INVALID_FIELD");
      expect(violationOf(error)).toEqual({
        field: "payload.image.data",
        description: "is not a PNG or JPEG image (it starts with 68 65 6c 6c 6f 2c 20 77 …): send a PNG or JPEG image",
      });
    });
  });

  it("still decodes the images it should: the zoo sample, a JPEG, an interlaced PNG", async () => {
    expect(tensorOf(await run(sample)).shape).toEqual([1, 1, 2, 2]);
    expect(tensorOf(await run(smallJpeg())).values.every((v) => Math.abs(v - 128) <= 2)).toBe(true);
    const interlaced = craftPng({ width: 2, height: 2, interlaced: true }, new Uint8Array([0, 10, 0, 20, 0, 30, 40]));
    expect(tensorOf(await run(interlaced)).values).toEqual(tensorOf(await run(grayPng(2, 2, [10, 20, 30, 40]))).values);
  });
});
