import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { DataType } from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import {
  type TempModelRoot,
  type TestExecutor,
  createTempModelRoot,
  executeRequest,
  floatTensorPayload,
  rejectionOf,
  startTestExecutor,
  tensorOf,
} from "./executor.test-support.js";
import { identityModel } from "./onnx-model.test-support.js";

describe("tensor payloads", () => {
  let root: TempModelRoot;
  let executor: TestExecutor;

  beforeAll(async () => {
    root = await createTempModelRoot();
    await root.write("fixed.onnx", identityModel("float32", [1, 4]));
    await root.write("batch.onnx", identityModel("float32", ["batch", 3]));
    await root.write("ids.onnx", identityModel("int64", ["n"]));
    await root.write("small-ints.onnx", identityModel("int32", ["n"]));
    executor = await startTestExecutor(root.dir);
  });

  afterAll(async () => {
    await executor?.close();
    await root?.remove();
  });

  const execute = (uri: string, payload: Parameters<typeof executeRequest>[1]) =>
    executor.client.execute(executeRequest({ uri }, payload));

  it("passes float_data to the model as is and returns the raw output tensor", async () => {
    const response = await execute("batch.onnx", floatTensorPayload([2, 3], [1, 2, 3, 4, 5, 6.5]));
    expect(response.outputs[0]?.name).toBe("y");
    expect(tensorOf(response)).toEqual({ shape: [2, 3], values: [1, 2, 3, 4, 5, 6.5] });
  });

  it("reads raw_data as little-endian elements", async () => {
    const raw = new Uint8Array(16);
    const view = new DataView(raw.buffer);
    [0.5, -1, 3, 1e6].forEach((x, i) => view.setFloat32(i * 4, x, true));
    const response = await execute("fixed.onnx", {
      kind: { case: "tensor", value: { dataType: DataType.FLOAT32, shape: [1, 4], rawData: raw } },
    });
    expect(tensorOf(response).values).toEqual([0.5, -1, 3, 1e6]);
  });

  it("returns integer outputs in int_data", async () => {
    const response = await execute("ids.onnx", {
      kind: { case: "tensor", value: { dataType: DataType.INT64, shape: [3], intData: [7n, -2n, 9007199254740993n] } },
    });
    const value = response.outputs[0]?.value;
    expect(value?.case).toBe("tensor");
    if (value?.case !== "tensor") return;
    expect(value.value.dataType).toBe(DataType.INT64);
    expect(value.value.intData).toEqual([7n, -2n, 9007199254740993n]);
    expect(value.value.floatData).toEqual([]);
  });

  it("reshapes a tensor with the right number of elements to a fixed-shape input", async () => {
    const response = await execute("fixed.onnx", floatTensorPayload([4], [1, 2, 3, 4]));
    expect(tensorOf(response)).toEqual({ shape: [1, 4], values: [1, 2, 3, 4] });
  });

  it("refuses a tensor of another element type, saying what the input takes", async () => {
    const error = await rejectionOf(
      execute("fixed.onnx", { kind: { case: "tensor", value: { dataType: DataType.INT64, shape: [1, 4], intData: [1n, 2n, 3n, 4n] } } }),
    );
    expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
    expect(error["reason"]).toBe("PAYLOAD_UNSUPPORTED");
    expect(error.message).toBe('model test-model@1 input "x" takes float32 [1, 4]; the payload tensor is int64');
    expect(error["violations"]).toEqual([
      {
        field: "payload.tensor.data_type",
        description: 'is int64, but model test-model@1 input "x" takes float32 [1, 4]: send a tensor it takes',
      },
    ]);
  });

  it("refuses a tensor whose shape does not fit the input", async () => {
    const fixed = await rejectionOf(execute("fixed.onnx", floatTensorPayload([1, 5], [1, 2, 3, 4, 5])));
    expect(fixed["reason"]).toBe("PAYLOAD_UNSUPPORTED");
    expect(fixed.message).toContain("takes float32 [1, 4]; the payload tensor has shape [1, 5]");
    const symbolic = await rejectionOf(execute("batch.onnx", floatTensorPayload([3, 2], [1, 2, 3, 4, 5, 6])));
    expect(symbolic["reason"]).toBe("PAYLOAD_UNSUPPORTED");
    expect(symbolic.message).toContain("takes float32 [batch, 3]; the payload tensor has shape [3, 2]");
    expect((symbolic["violations"] as { field: string }[]).map((v) => v.field)).toEqual(["payload.tensor.shape"]);
  });

  it("refuses a malformed tensor, naming every bad field", async () => {
    const error = await rejectionOf(
      execute("fixed.onnx", {
        kind: { case: "tensor", value: { dataType: DataType.FLOAT32, shape: [2, 0], floatData: [1, 2, 3] } },
      }),
    );
    expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
    expect(error["reason"]).toBe("INVALID_FIELD");
    expect((error["violations"] as { field: string }[]).map((v) => v.field)).toEqual(["payload.tensor.shape[1]"]);
    const count = await rejectionOf(execute("fixed.onnx", floatTensorPayload([1, 4], [1, 2, 3])));
    expect(count["violations"]).toEqual([
      { field: "payload.tensor.float_data", description: "has 3 elements but shape [1, 4] needs 4" },
    ]);
    const raw = await rejectionOf(
      execute("fixed.onnx", { kind: { case: "tensor", value: { dataType: DataType.FLOAT32, shape: [1, 4], rawData: new Uint8Array(15) } } }),
    );
    expect((raw["violations"] as { field: string }[])[0]?.field).toBe("payload.tensor.raw_data");
  });

  it("refuses a tensor without dimensions or with more than 32, as the analyzer does", async () => {
    for (const shape of [[], new Array<number>(33).fill(1)]) {
      const error = await rejectionOf(execute("batch.onnx", floatTensorPayload(shape, [1])));
      expect(error["reason"]).toBe("INVALID_FIELD");
      expect((error["violations"] as { field: string }[]).map((v) => v.field)).toEqual(["payload.tensor.shape"]);
    }
  });

  it("refuses an integer element out of its type's range", async () => {
    const error = await rejectionOf(
      execute("small-ints.onnx", { kind: { case: "tensor", value: { dataType: DataType.INT32, shape: [2], intData: [1n, 2n ** 40n] } } }),
    );
    expect(error["reason"]).toBe("INVALID_FIELD");
    expect((error["violations"] as { field: string }[])[0]?.field).toBe("payload.tensor.int_data[1]");
  });

  it("refuses a payload that is not a tensor for a model without pre-processing", async () => {
    const error = await rejectionOf(execute("fixed.onnx", { kind: { case: "text", value: "1 2 3 4" } }));
    expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
    expect(error["reason"]).toBe("PAYLOAD_UNSUPPORTED");
    expect(error.message).toBe("model test-model@1 takes a tensor payload (it has no pre-processing); the payload is text");
  });
});
