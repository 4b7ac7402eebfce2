import { type MessageInitShape, create } from "@bufbuild/protobuf";
import {
  type ExecuteRequest,
  ExecuteRequestSchema,
  type ExecuteResponse,
  type OnnxBackendSchema,
} from "@modelrouter/contracts";
import { encodeOnnxModel } from "../onnx-model.test-support.js";

/** An ONNX backend, as a request builds it. */
export type OnnxInit = MessageInitShape<typeof OnnxBackendSchema>;
/** A payload, as a request builds it. */
export type PayloadInit = MessageInitShape<typeof ExecuteRequestSchema>["payload"];

/** An execute request for model `name`@1 with any backend and payload. */
export function modelRequest(onnx: OnnxInit, payload: PayloadInit, name = "test-model"): ExecuteRequest {
  return create(ExecuteRequestSchema, {
    requestId: "req-1",
    model: { name, version: "1" },
    backend: { kind: { case: "onnx", value: onnx } },
    payload,
  });
}

/** The elements of the first output of a response, which must be a tensor (float32 elements, as numbers). */
export function floatsOf(response: ExecuteResponse): { shape: number[]; values: Float32Array } {
  const value = response.outputs[0]?.value;
  if (value?.case !== "tensor") throw new Error(`expected a tensor output, got ${String(value?.case)}`);
  return { shape: value.value.shape, values: Float32Array.from(value.value.floatData) };
}

/** A linear model: `x` float32 [1, n] → MatMul by the column `weights` [n, 1] → `y` [1, 1]. */
export function linearModel(weights: readonly number[]): Uint8Array {
  return encodeOnnxModel({
    inputs: [{ name: "x", type: "float32", dims: [1, weights.length] }],
    outputs: [{ name: "y", type: "float32", dims: [1, 1] }],
    nodes: [{ op: "MatMul", inputs: ["x", "w"], outputs: ["y"] }],
    initializers: [{ name: "w", dims: [weights.length, 1], values: Float32Array.from(weights) }],
  });
}
