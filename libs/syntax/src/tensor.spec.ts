import { describe, expect, it } from "@jest/globals";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { DataType, TensorSchema } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";
import { checkTensor } from "./tensor.js";

const limits = { maxRank: 4, maxElements: 1000 };

function check(init: MessageInitShape<typeof TensorSchema>) {
  const v = new Violations();
  const checked = checkTensor(create(TensorSchema, init), "payload.tensor", v, limits);
  return { checked, fields: v.items.map((i) => i.field), violations: v.items };
}

describe("tensor payloads", () => {
  it("accepts float data matching the shape", () => {
    const { checked, fields } = check({ dataType: DataType.FLOAT32, shape: [2, 3], floatData: [1, 2, 3, 4, 5, 6] });
    expect(fields).toEqual([]);
    expect(checked).toEqual({ element: expect.objectContaining({ type: "float32", bytes: 4 }), count: 6 });
  });

  it("accepts raw little-endian bytes of the right length", () => {
    expect(check({ dataType: DataType.INT64, shape: [2], rawData: new Uint8Array(16) }).checked?.count).toBe(2);
  });

  it.each<[MessageInitShape<typeof TensorSchema>, string[]]>([
    [{ shape: [1], floatData: [1] }, ["payload.tensor.data_type"]],
    [{ dataType: DataType.FLOAT32, shape: [], floatData: [1] }, ["payload.tensor.shape"]],
    [{ dataType: DataType.FLOAT32, shape: [1, 0], floatData: [1] }, ["payload.tensor.shape[1]"]],
    [{ dataType: DataType.FLOAT32, shape: [1, 1, 1, 1, 1], floatData: [1] }, ["payload.tensor.shape"]],
    [{ dataType: DataType.FLOAT32, shape: [1001], floatData: [1] }, ["payload.tensor.shape"]],
    [{ dataType: DataType.FLOAT32, shape: [2] }, ["payload.tensor.float_data"]],
    [{ dataType: DataType.FLOAT32, shape: [1], floatData: [1], rawData: new Uint8Array(4) }, ["payload.tensor.raw_data"]],
    [{ dataType: DataType.FLOAT32, shape: [2], floatData: [1] }, ["payload.tensor.float_data"]],
    [{ dataType: DataType.INT32, shape: [1], floatData: [1] }, ["payload.tensor.float_data"]],
    [{ dataType: DataType.UINT8, shape: [2], intData: [1n, 256n] }, ["payload.tensor.int_data[1]"]],
    [{ dataType: DataType.FLOAT64, shape: [2], rawData: new Uint8Array(15) }, ["payload.tensor.raw_data"]],
  ])("refuses %j, naming %j", (init, fields) => {
    const result = check(init);
    expect(result.checked).toBeUndefined();
    expect(result.fields).toEqual(fields);
    for (const v of result.violations) expect(v.description.length).toBeGreaterThan(10);
  });
});
