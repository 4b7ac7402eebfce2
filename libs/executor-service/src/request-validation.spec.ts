import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { ColorMode, ExecuteRequestSchema } from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import {
  type TempModelRoot,
  type TestExecutor,
  createTempModelRoot,
  executeRequest,
  floatTensorPayload,
  imagePayload,
  imagePreprocessing,
  rejectionOf,
  startTestExecutor,
} from "./executor.test-support.js";
import { identityModel } from "./onnx-model.test-support.js";

const fieldsOf = (error: Record<string, unknown>): string[] =>
  (error["violations"] as { field: string }[]).map((v) => v.field);

describe("Execute request validation", () => {
  let root: TempModelRoot;
  let executor: TestExecutor;

  beforeAll(async () => {
    root = await createTempModelRoot();
    await root.write("model.onnx", identityModel("float32", [1, 2]));
    executor = await startTestExecutor(root.dir);
  });

  afterAll(async () => {
    await executor?.close();
    await root?.remove();
  });

  it("names every missing part of an empty request at once", async () => {
    const error = await rejectionOf(executor.client.execute(create(ExecuteRequestSchema, {})));
    expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
    expect(error["reason"]).toBe("INVALID_FIELD");
    expect(fieldsOf(error)).toEqual(["model", "backend.onnx", "payload"]);
  });

  it("checks the model name and the exact version", async () => {
    const request = executeRequest({ uri: "model.onnx" }, floatTensorPayload([1, 2], [1, 2]), "Digits_General");
    request.model = { ...request.model!, version: "" };
    const error = await rejectionOf(executor.client.execute(request));
    expect(fieldsOf(error)).toEqual(["model.name", "model.version"]);
  });

  it("reports the request's own problems before the model's file (see model-files.spec.ts)", async () => {
    const error = await rejectionOf(executor.client.execute(executeRequest({ uri: "../outside.onnx" }, { kind: { case: "tensor", value: {} } })));
    expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
    expect(fieldsOf(error)).toEqual(["payload.tensor.data_type", "payload.tensor.shape", "payload.tensor.float_data"]);
  });

  it("refuses a sha256 that is not 64 lower-case hex digits", async () => {
    const error = await rejectionOf(
      executor.client.execute(executeRequest({ uri: "model.onnx", sha256: "ABC" }, floatTensorPayload([1, 2], [1, 2]))),
    );
    expect(fieldsOf(error)).toEqual(["backend.onnx.sha256"]);
  });

  it("names every bad image pre-processing setting", async () => {
    const error = await rejectionOf(
      executor.client.execute(
        executeRequest(
          {
            uri: "model.onnx",
            preprocessing: imagePreprocessing({
              width: 0,
              height: 5000,
              colorMode: ColorMode.UNSPECIFIED,
              layout: 0,
              scale: -1,
              mean: [1, 2],
              std: [0],
            }),
          },
          imagePayload(new Uint8Array([1])),
        ),
      ),
    );
    const prefix = "backend.onnx.preprocessing.image.";
    expect(fieldsOf(error)).toEqual(
      ["width", "height", "color_mode", "layout", "scale", "mean", "std[0]"].map((f) => prefix + f),
    );
  });

  it("refuses a mean list that is neither empty, one value, nor one per channel", async () => {
    const error = await rejectionOf(
      executor.client.execute(
        executeRequest(
          { uri: "model.onnx", preprocessing: imagePreprocessing({ width: 2, height: 1, colorMode: ColorMode.RGB, mean: [1, 2] }) },
          imagePayload(new Uint8Array([1])),
        ),
      ),
    );
    expect(error["violations"]).toEqual([
      { field: "backend.onnx.preprocessing.image.mean", description: "must have 0, 1 or 3 values (one per channel), not 2" },
    ]);
  });

  it("refuses text for an image model, saying what the model takes", async () => {
    const error = await rejectionOf(
      executor.client.execute(
        executeRequest(
          { uri: "model.onnx", preprocessing: imagePreprocessing({ width: 28, height: 28 }) },
          { kind: { case: "text", value: "seven" } },
        ),
      ),
    );
    expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
    expect(error["reason"]).toBe("PAYLOAD_UNSUPPORTED");
    expect(error.message).toBe(
      "model test-model@1 takes a PNG or JPEG image (fed to it as a [1, 1, 28, 28] grayscale float32 tensor of the image resized to 28×28); the payload is text",
    );
  });
});
