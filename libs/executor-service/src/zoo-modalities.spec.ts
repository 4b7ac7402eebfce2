import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { type JsonValue, type MessageInitShape, fromJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import type { ExecuteRequestSchema, ExecutorService, Model } from "@modelrouter/contracts";
import {
  type EvaluationPayload,
  PAYLOAD_EVALUATION_SET_NAMES,
  type PayloadEvaluationSetName,
  loadDemoModels,
  loadPayloadEvaluationSet,
  loadPayloadSamples,
} from "@modelrouter/model-zoo";
import { Code, type ServiceClient } from "@modelrouter/rpc-kit";
import { type ZooExecutorServer, rejectionOf, startZooExecutorServer, zooRequest } from "./executor.test-support.js";

type Payload = MessageInitShape<typeof ExecuteRequestSchema>["payload"];

/** The zoo's models of other modalities than images: every one is checked against its card. */
const models = loadDemoModels().filter((m) => m.metrics !== undefined && (PAYLOAD_EVALUATION_SET_NAMES as readonly string[]).includes(m.metrics.dataset));
const samples = loadPayloadSamples();

const modelNamed = (name: string): Model => {
  const model = models.find((m) => m.name === name);
  if (model === undefined) throw new Error(`the zoo catalogue has no model ${name}`);
  return model;
};

/** A payload of the evaluation set as the request a client sends: text, a JSON record, or WAV bytes. */
const requestPayload = (payload: EvaluationPayload): Payload => {
  if ("text" in payload) return { kind: { case: "text", value: payload.text } };
  if ("audio" in payload) return { kind: { case: "audio", value: { data: payload.audio, mimeType: "audio/wav" } } };
  return { kind: { case: "json", value: fromJson(ValueSchema, payload.json as JsonValue) } };
};

/** A sample file as the request a client sends, by its extension. */
const filePayload = (path: string): Payload => {
  const bytes = new Uint8Array(readFileSync(path));
  if (path.endsWith(".wav")) return requestPayload({ audio: bytes });
  if (path.endsWith(".json")) return requestPayload({ json: JSON.parse(Buffer.from(bytes).toString("utf8")) });
  return requestPayload({ text: Buffer.from(bytes).toString("utf8") });
};

/** Correct answers and per-class counts, to recompute accuracy and macro-F1 exactly as the build does. */
interface Tally {
  readonly correct: number;
  readonly count: number;
  readonly macroF1: number;
}

function tally(classes: readonly string[], truth: readonly string[], predicted: readonly string[]): Tally {
  let correct = 0;
  let f1 = 0;
  for (const c of classes) {
    const tp = truth.filter((t, i) => t === c && predicted[i] === c).length;
    const actual = truth.filter((t) => t === c).length;
    const guessed = predicted.filter((p) => p === c).length;
    correct += tp;
    f1 += actual + guessed === 0 ? 0 : (2 * tp) / (actual + guessed);
  }
  return { correct, count: truth.length, macroF1: f1 / classes.length };
}

describe("the zoo's text, tabular, sensor and audio models, served over gRPC on loopback", () => {
  let zoo: ZooExecutorServer;
  let client: ServiceClient<typeof ExecutorService>;

  /** The top label the executor gives for each payload of the model's held-out set, in set order. */
  const servedLabels = async (model: Model, payloads: readonly EvaluationPayload[]): Promise<string[]> => {
    const labels: string[] = [];
    for (let start = 0; start < payloads.length; start += 20) {
      const batch = payloads.slice(start, start + 20);
      const answers = await Promise.all(batch.map((p, k) => client.execute(zooRequest(model, requestPayload(p), `${model.name}-${start + k}`))));
      for (const response of answers) {
        const value = response.outputs[0]?.value;
        if (value?.case !== "classification") throw new Error(`${model.name} gave no classification`);
        labels.push(value.value.labels[0]?.label ?? "");
      }
    }
    return labels;
  };

  beforeAll(async () => {
    zoo = await startZooExecutorServer();
    client = zoo.client;
  });

  afterAll(async () => {
    await zoo?.close();
  });

  it("covers nine models and every payload evaluation set", () => {
    expect(models.map((m) => m.name).sort()).toEqual([
      "audio-spoken-digits",
      "sensor-fault-general",
      "sensor-fault-specialist",
      "tabular-breast-cancer",
      "tabular-breast-cancer-large",
      "tabular-penguins",
      "text-langid",
      "text-topic",
      "text-topic-lite",
    ]);
    expect(new Set(models.map((m) => m.metrics?.dataset))).toEqual(new Set(PAYLOAD_EVALUATION_SET_NAMES));
  });

  it.each(models.map((m) => [m.name, m.metrics?.dataset ?? ""] as const))(
    "%s reproduces its catalogue accuracy and macro-F1 on %s, answer for answer",
    async (name, dataset) => {
      const model = modelNamed(name);
      const set = loadPayloadEvaluationSet(dataset as PayloadEvaluationSetName);
      expect(set.payloads).toHaveLength(model.metrics?.evaluationSamples ?? -1);
      const result = tally(set.classes, set.labels, await servedLabels(model, set.payloads));
      expect(result.correct).toBe(Math.round((model.metrics?.accuracy ?? 0) * result.count));
      expect(Number((result.correct / result.count).toFixed(4))).toBe(model.metrics?.accuracy);
      expect(Number(result.macroF1.toFixed(4))).toBe(model.metrics?.f1);
    },
    120_000,
  );

  it.each(samples.map((s) => [s.model, s.file, s.label, s.path] as const))("%s classifies the sample %s as %s", async (name, file, label, path) => {
    const response = await client.execute(zooRequest(modelNamed(name), filePayload(path), `sample-${file}`));
    const value = response.outputs[0]?.value;
    if (value?.case !== "classification") throw new Error("expected a classification");
    expect(value.value.labels[0]?.label).toBe(label);
  });

  it("gives both breast-cancer labels ranked by the sigmoid of the single logit", async () => {
    const sample = samples.find((s) => s.kind === "breast-cancer");
    const response = await client.execute(zooRequest(modelNamed("tabular-breast-cancer"), filePayload(sample?.path ?? ""), "bc-ranked"));
    const value = response.outputs[0]?.value;
    if (value?.case !== "classification") throw new Error("expected a classification");
    const ranked = value.value.labels;
    expect(ranked.map((l) => l.label)).toEqual(["malignant", "benign"]);
    expect((ranked[0]?.score ?? 0) + (ranked[1]?.score ?? 0)).toBeCloseTo(1, 9);
  });

  it("refuses a breast-cancer record without one of its measurements, naming the field", async () => {
    const sample = samples.find((s) => s.kind === "breast-cancer");
    const record = JSON.parse(readFileSync(sample?.path ?? "", "utf8")) as Record<string, unknown>;
    delete record["worst_concave_points"];
    const error = await rejectionOf(client.execute(zooRequest(modelNamed("tabular-breast-cancer"), requestPayload({ json: record }), "bc-missing")));
    expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
    expect(error.message).toContain("worst_concave_points");
  });
});
