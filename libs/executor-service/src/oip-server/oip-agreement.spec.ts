import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { BackendSchema, DataType, ExecuteRequestSchema } from "@modelrouter/contracts";
import { samplesDir } from "@modelrouter/model-zoo";
import { imagePayload, zooRequest } from "../executor.test-support.js";
import { type OipTestServer, digitTensor, float32Bytes, float32Values, startOipTestServer, zooModel } from "./oip.test-support.js";

const SAMPLE = "mnist-3-0.png";
const shape = [1, 1, 28, 28];

const softmax = (logits: readonly number[]): number[] => {
  const top = Math.max(...logits);
  const exps = logits.map((x) => Math.exp(x - top));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((x) => x / sum);
};

describe("one image's tensor gives the same scores through every way of calling the executor", () => {
  let server: OipTestServer;
  const tensor = Array.from(digitTensor(SAMPLE));
  const logitsBy = new Map<string, number[]>();

  beforeAll(async () => {
    server = await startOipTestServer();
    const typed = await server.oip.modelInfer({
      modelName: "digits-general",
      inputs: [{ name: "input", datatype: "FP32", shape: shape.map(BigInt), contents: { fp32Contents: tensor } }],
    });
    logitsBy.set("OIP gRPC typed", typed.outputs[0]?.contents?.fp32Contents ?? []);
    const raw = await server.oip.modelInfer({
      modelName: "digits-general",
      inputs: [{ name: "input", datatype: "FP32", shape: shape.map(BigInt) }],
      rawInputContents: [float32Bytes(tensor)],
    });
    logitsBy.set("OIP gRPC raw", float32Values(raw.rawOutputContents[0] ?? new Uint8Array()));
    const input = { name: "input", shape, datatype: "FP32" };
    const json = await fetch(`${server.restUrl}/v2/models/digits-general/infer`, {
      method: "POST",
      body: JSON.stringify({ inputs: [{ ...input, data: tensor }] }),
    });
    logitsBy.set("OIP REST JSON", ((await json.json()) as { outputs: { data: number[] }[] }).outputs[0]?.data ?? []);
    const header = new TextEncoder().encode(JSON.stringify({ inputs: [{ ...input, parameters: { binary_data_size: 3136 } }], outputs: [{ name: "logits", parameters: { binary_data: true } }] }));
    const binary = await fetch(`${server.restUrl}/v2/models/digits-general/infer`, {
      method: "POST",
      headers: { "inference-header-content-length": String(header.byteLength) },
      body: Buffer.concat([header, float32Bytes(tensor)]),
    });
    const bytes = new Uint8Array(await binary.arrayBuffer());
    logitsBy.set("OIP REST binary", float32Values(bytes.subarray(Number(binary.headers.get("inference-header-content-length")))));
    const model = zooModel("digits-general");
    const onnx = model.backend?.kind.case === "onnx" ? model.backend.kind.value : undefined;
    const executed = await server.executor.execute(
      create(ExecuteRequestSchema, {
        requestId: "agreement-raw",
        model: { name: model.name, version: model.version },
        backend: create(BackendSchema, { kind: { case: "onnx", value: { uri: onnx?.uri ?? "", inputName: "input", outputName: "logits", sha256: onnx?.sha256 ?? "" } } }),
        payload: { kind: { case: "tensor", value: { dataType: DataType.FLOAT32, shape, floatData: tensor } } },
      }),
    );
    const out = executed.outputs[0]?.value;
    logitsBy.set("ExecutorService.Execute tensor", out?.case === "tensor" ? out.value.floatData : []);
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers the same ten logits through Execute with the tensor and OIP gRPC typed, gRPC raw, REST JSON and REST binary", () => {
    const reference = logitsBy.get("ExecutorService.Execute tensor");
    expect(reference).toHaveLength(10);
    for (const [way, logits] of logitsBy) expect({ way, logits }).toEqual({ way, logits: reference });
  });

  it("scores the image as Execute does with the catalogue's image pre-processing and softmax post-processing", async () => {
    const image = new Uint8Array(readFileSync(join(samplesDir(), SAMPLE)));
    const executed = await server.executor.execute(zooRequest(zooModel("digits-general"), imagePayload(image), "agreement-image"));
    const out = executed.outputs[0]?.value;
    if (out?.case !== "classification") throw new Error(`expected a classification, got ${String(out?.case)}`);
    const scores = softmax(logitsBy.get("OIP REST binary") ?? []);
    expect(out.value.labels[0]?.label).toBe("3");
    for (const { label, score } of out.value.labels) expect(scores[Number(label)]).toBeCloseTo(score, 5);
  });
});
