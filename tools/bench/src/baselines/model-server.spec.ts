import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fromBinary } from "@bufbuild/protobuf";
import { InferResponseSchema } from "@modelrouter/contracts";
import { preprocessImage } from "@modelrouter/executor-service";
import { createProcessGroup } from "@modelrouter/testing";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { EXPECTED_MODEL, encodeBaselineResponse, encodeBenchRequest } from "../grpc/payloads.js";
import { INFER_PATH, createRawClient } from "../grpc/raw-grpc.js";
import { READY_MARK } from "./baseline-process.js";
import { loadBenchModel } from "./bench-model.js";
import { imageOf } from "./model-answer.js";
import { rankScores } from "./model-runner.js";

const group = createProcessGroup();
const request = Buffer.from(encodeBenchRequest());
const labelsOf = (bytes: Uint8Array) => {
  const answer = fromBinary(InferResponseSchema, bytes);
  const output = answer.outputs[0];
  return {
    model: `${answer.model?.name}@${answer.model?.version}`,
    output: output?.name,
    labels: output?.value.case === "classification" ? output.value.value.labels.map((l) => [l.label, l.score]) : [],
  };
};

/** The built baseline script (Node cannot run the TypeScript): nx builds this project before its tests. */
function builtScript(name: string): string {
  const path = fileURLToPath(new URL(`../../dist/baselines/${name}.js`, import.meta.url));
  if (!existsSync(path)) throw new Error(`${path} is missing: build tools/bench first (npx tsc -b tsconfig.lib.json)`);
  return path;
}

describe("the bare model servers", () => {
  /** The model run directly in this test: the executor's pre-processing, ONNX Runtime, softmax and the top 3 by hand. */
  let reference: (string | number)[][];

  beforeAll(async () => {
    const model = loadBenchModel();
    const session = await InferenceSession.create(model.onnxPath);
    const { data, dims } = preprocessImage(imageOf(request), model.preprocessing);
    const logits = Array.from((await session.run({ [model.inputName]: new Tensor("float32", data, dims) }))[model.outputName]!.data as Float32Array, Number);
    await session.release();
    const exps = logits.map((v) => Math.exp(v - Math.max(...logits)));
    const sum = exps.reduce((a, b) => a + b, 0);
    reference = exps
      .map((e, i) => [model.postprocessing.labels[i]!, e / sum] as [string, number])
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3);
  });

  afterAll(async () => {
    await group.stopAll("SIGTERM");
  });

  it("are checked against the scores of modelrouter's own answer to the benchmark request", () => {
    // encodeBaselineResponse carries modelrouter's real answer (digit 0, then 5 and 9).
    expect(reference).toEqual(labelsOf(encodeBaselineResponse()).labels);
  });

  it.each(["model-main", "model-pool"])("%s answers the benchmark request with the model and exactly the scores of a direct run", async (name) => {
    const server = await group.start({
      name,
      command: process.execPath,
      args: [builtScript(name), "--listen", "127.0.0.1:0"],
      readyWhen: (line) => line.includes(READY_MARK),
      timeoutMs: 30_000,
    });
    const port = (JSON.parse(server.output.find((l) => l.includes(READY_MARK))!) as { port: number }).port;
    const client = createRawClient({ address: `127.0.0.1:${port}`, path: INFER_PATH });
    try {
      await client.ready(10_000);
      // More requests than workers at once: each waits its turn in the pool's queue and gets its own answer.
      const answers = await Promise.all(Array.from({ length: 16 }, () => client.call(request, 20_000)));
      for (const { code, response } of answers) {
        expect(code).toBe(0);
        expect(labelsOf(response)).toEqual({ model: `${EXPECTED_MODEL}@1`, output: "logits", labels: reference });
      }
    } finally {
      client.close();
    }
  }, 60_000);
});

describe("rankScores", () => {
  it("ranks the softmax of the scores, best first, ties in class order, keeping the top K (0: all)", () => {
    const spec = { labels: ["a", "b", "c"], softmax: true, topK: 2 };
    const ranked = rankScores([1, 3, 3], spec);
    expect(ranked.map((l) => l.label)).toEqual(["b", "c"]);
    expect(ranked[0]!.score).toBeCloseTo(Math.exp(3) / (Math.exp(1) + 2 * Math.exp(3)));
    expect(rankScores([0.2, 0.5, 0.3], { ...spec, softmax: false, topK: 0 })).toEqual([
      { label: "b", score: 0.5 },
      { label: "c", score: 0.3 },
      { label: "a", score: 0.2 },
    ]);
  });
});
