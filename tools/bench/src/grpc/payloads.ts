import { readFileSync } from "node:fs";
import { create, toBinary } from "@bufbuild/protobuf";
import { InferRequestSchema, InferResponseSchema } from "@modelrouter/contracts";
import { loadSampleIndex } from "@modelrouter/model-zoo";

/** The model that the benchmark request is routed to by the demo policy. */
export const EXPECTED_MODEL = "digits-lowres-specialist";

/**
 * The benchmark's request, encoded once: `RouterService.Infer` of the zoo's 8×8 low-resolution PNG scan with
 * `image_type=lowres_scan`, which the demo policy routes to the tiny `digits-lowres-specialist` MLP. No request
 * id: the router generates one per request, as for most callers.
 */
export function encodeBenchRequest(): Uint8Array {
  const sample = loadSampleIndex().find((s) => s.kind === "lowres");
  if (sample === undefined) throw new Error("the model zoo has no lowres sample image");
  return toBinary(
    InferRequestSchema,
    create(InferRequestSchema, {
      payload: { kind: { case: "image", value: { data: readFileSync(sample.path), mimeType: "image/png" } } },
      metadata: { image_type: "lowres_scan" },
    }),
  );
}

/**
 * The fixed answer of the baselines: an `InferResponse` with the same fields and sizes as modelrouter's real
 * answer to {@link encodeBenchRequest} with tracing on (a UUID request id, the three best labels, the model,
 * policy, rule, one attempt and a 32-hex-digit trace id), about 220 bytes, so that the baselines move as many
 * bytes as the system they are compared with.
 */
export function encodeBaselineResponse(): Uint8Array {
  return toBinary(
    InferResponseSchema,
    create(InferResponseSchema, {
      requestId: "5d1c7a4e-3b9f-4e2a-8c61-0f2b9d7e4a13",
      outputs: [
        {
          name: "logits",
          value: {
            case: "classification",
            value: {
              labels: [
                { label: "0", score: 0.9955236897495594 },
                { label: "5", score: 0.004427577874607345 },
                { label: "9", score: 0.000016980106716803448 },
              ],
            },
          },
        },
      ],
      model: { name: EXPECTED_MODEL, version: "1" },
      policy: "digits",
      rule: "lowres-scans",
      attempts: [{ model: { name: EXPECTED_MODEL, version: "1" }, code: 0, duration: { seconds: 0n, nanos: 412_345 } }],
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    }),
  );
}

/** A message in gRPC's length-prefixed framing (uncompressed), as h2load must send it. */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}
