import { describe, expect, it } from "@jest/globals";
import { ErrorReason } from "@modelrouter/errors";
import { tensorFeed } from "./model-input.js";
import { checkBoolBytes, littleEndianOf, valuesFromLittleEndian } from "./tensor-bytes.js";
import type { TensorDataType, TensorValues } from "./worker-protocol.js";

/** Each element type: sample elements and their little-endian bytes. */
const cases: readonly { type: TensorDataType; values: TensorValues; bytes: number[] }[] = [
  { type: "float32", values: Float32Array.of(1.5, -2), bytes: [0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0] },
  { type: "float64", values: Float64Array.of(0.25, 3), bytes: [0, 0, 0, 0, 0, 0, 0xd0, 0x3f, 0, 0, 0, 0, 0, 0, 8, 0x40] },
  { type: "int32", values: Int32Array.of(-1, 258), bytes: [0xff, 0xff, 0xff, 0xff, 2, 1, 0, 0] },
  { type: "int64", values: BigInt64Array.of(-2n, 65536n), bytes: [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 1, 0, 0, 0, 0, 0] },
  { type: "uint8", values: Uint8Array.of(0, 255), bytes: [0, 255] },
  { type: "bool", values: Uint8Array.of(1, 0), bytes: [1, 0] },
];

describe("little-endian tensor bytes", () => {
  it.each(cases)("$type: packs its elements little-endian", ({ values, bytes }) => {
    expect(Array.from(littleEndianOf(values))).toEqual(bytes);
  });

  it.each(cases)("$type: reads its elements back from little-endian bytes", ({ type, values, bytes }) => {
    const read = valuesFromLittleEndian(Uint8Array.from(bytes), type);
    expect(read.constructor).toBe(values.constructor);
    expect(Array.from(read as ArrayLike<number | bigint>)).toEqual(Array.from(values as ArrayLike<number | bigint>));
  });

  it("reads bytes that start part-way into a larger buffer", () => {
    const buffer = Uint8Array.from([9, 9, 9, 0, 0, 0xc0, 0x3f]);
    expect(Array.from(valuesFromLittleEndian(buffer.subarray(3), "float32") as Float32Array)).toEqual([1.5]);
  });

  it("takes BOOL bytes of 0 and 1, and names the first other byte with its index", () => {
    expect(() => checkBoolBytes(Uint8Array.of(0, 1, 1), "raw")).not.toThrow();
    const check = () => checkBoolBytes(Uint8Array.of(1, 0, 7, 2), "raw_input_contents[0]");
    expect(check).toThrow(expect.objectContaining({ reason: ErrorReason.INVALID_FIELD }) as unknown as Error);
    expect(check).toThrow("raw_input_contents[0][2]: is the byte 7, which is not a BOOL: use 0 or 1");
  });

  it("refuses a raw BOOL tensor payload with a byte other than 0 or 1, naming payload.tensor.raw_data", () => {
    const payload = { dataType: "bool", shape: [2], floatData: [], intData: [], rawData: Uint8Array.of(1, 3) } as const;
    expect(() => tensorFeed(payload, { name: "x", type: "bool", shape: [2] }, "m:1")).toThrow("payload.tensor.raw_data[1]: is the byte 3, which is not a BOOL");
  });
});
