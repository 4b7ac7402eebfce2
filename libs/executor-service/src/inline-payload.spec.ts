import { describe, expect, it } from "@jest/globals";
import { INLINE_MAX_INPUT_BYTES, inlineInputFits } from "./inline-payload.js";
import type { InferenceTask, TaskInput } from "./worker-protocol.js";

const taskWith = (input: TaskInput): InferenceTask => ({
  model: { name: "m", version: "1", uri: "m.onnx", path: "/models/m.onnx", sha256: "", key: "m@1|" },
  inputName: "",
  outputName: "",
  input,
  output: { kind: "tensor" },
});
const image = (bytes: number): TaskInput => ({
  kind: "image",
  data: new Uint8Array(bytes),
  field: "payload.image.data",
  spec: { width: 8, height: 8, channels: 1, layout: "nchw", scale: 1, mean: [0], std: [1], invert: false },
});
const tensor = (floats: number): TaskInput => ({
  kind: "tensor",
  tensor: { dataType: "float32", shape: [1, floats], floatData: new Array<number>(floats).fill(0), intData: [], rawData: new Uint8Array(0) },
});

describe("inlineInputFits (which inputs may run on the serving thread)", () => {
  it("takes images and tensors up to 64 KiB, and nothing larger", () => {
    expect([image(184), image(INLINE_MAX_INPUT_BYTES), image(INLINE_MAX_INPUT_BYTES + 1), tensor(1024), tensor(10_000)].map((i) => inlineInputFits(taskWith(i)))).toEqual([
      true,
      true,
      false,
      true,
      false,
    ]);
  });

  it("never takes JSON records or series, whose size the task does not tell cheaply", () => {
    const record: TaskInput = { kind: "tabular", record: { a: 1 }, field: "payload.json", spec: { features: [] } as never };
    expect(inlineInputFits(taskWith(record))).toBe(false);
  });
});
