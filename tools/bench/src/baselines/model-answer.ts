import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { InferRequestSchema, InferResponseSchema } from "@modelrouter/contracts";
import type { BenchModel } from "./bench-model.js";
import type { LabelScore } from "./model-runner.js";

/** The image bytes of an encoded `InferRequest` (protobuf decode, as any gRPC model server does). */
export function imageOf(request: Uint8Array): Uint8Array {
  const payload = fromBinary(InferRequestSchema, request).payload?.kind;
  if (payload?.case !== "image") throw new Error("the request carries no image payload");
  return payload.value.data;
}

/**
 * An encoded `InferResponse` with what a client reads from modelrouter's answer: the model and its ranked
 * scores, as one `classification` output named after the model's output (like the executor's).
 */
export function encodeModelAnswer(model: BenchModel, labels: readonly LabelScore[]): Buffer {
  const response = create(InferResponseSchema, {
    outputs: [{ name: model.outputName, value: { case: "classification", value: { labels: labels.map((l) => ({ label: l.label, score: l.score })) } } }],
    model: { name: model.name, version: model.version },
  });
  const bytes = toBinary(InferResponseSchema, response);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
