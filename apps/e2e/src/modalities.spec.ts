import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fromJson, type JsonObject, type MessageInitShape } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import type { InferRequestSchema, InferResponse } from "@modelrouter/contracts";
import { loadPayloadSamples, loadSampleIndex, type PayloadSample, type Sample } from "@modelrouter/model-zoo";
import { Code, isRpcError } from "@modelrouter/rpc-kit";
import type { RunningSystem, Topology } from "@modelrouter/testing";
import { startDemoSystem } from "./hostile/demo-system.js";

type InferInit = MessageInitShape<typeof InferRequestSchema>;

const images = loadSampleIndex();
const samples = loadPayloadSamples();
const ofKind = (...kinds: PayloadSample["kind"][]): PayloadSample[] => samples.filter((s) => kinds.includes(s.kind));

/** The file's bytes as `payload.binary` with no MIME type: the request says nothing about what it holds. */
const unlabelled = (sample: Sample | PayloadSample, metadata: Record<string, string> = {}): InferInit => ({
  payload: { kind: { case: "binary", value: { data: readFileSync(sample.path) } } },
  metadata,
});

const topLabel = (response: InferResponse): string | undefined => {
  const value = response.outputs[0]?.value;
  return value?.case === "classification" ? value.value.labels[0]?.label : undefined;
};

describe.each(["distributed", "co-located"] as Topology[])("the demo system routes every modality by detection alone, %s", (topology) => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startDemoSystem(topology);
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  it.each(images.filter((s) => s.label === "3"))("sends the image $file to a digit model, which reads it", async (sample) => {
    const response = await system.router.infer(unlabelled(sample));
    expect(response.policy).toBe("digits");
    expect(response.model?.name).toMatch(/^digits-/);
    expect(topLabel(response)).toBe(sample.label);
  });

  it.each(ofKind("language", "breast-cancer", "penguin", "vibration", "spoken-digit"))(
    "sends $file (unlabelled bytes) to $model, which answers $label",
    async (sample) => {
      const response = await system.router.infer(unlabelled(sample));
      expect({ model: response.model?.name, label: topLabel(response), fallback: response.fallbackUsed }).toEqual({
        model: sample.model,
        label: sample.label,
        fallback: false,
      });
    },
  );

  it.each(ofKind("topic"))("sends $file to a topic classifier when the request asks for its topic", async (sample) => {
    const response = await system.router.infer(unlabelled(sample, { task: "topic" }));
    expect(response.rule).toBe("topic");
    expect(response.model?.name).toBe(sample.model);
    expect(topLabel(response)).toBe(sample.label);
  });

  it("sends the premium tier's digits to the most accurate model over 95 %, chosen by the best strategy", async () => {
    const sample = images.find((s) => s.kind === "mnist")!;
    const response = await system.router.infer({ ...unlabelled(sample), tier: "premium" });
    expect({ rule: response.rule, model: response.model?.name, label: topLabel(response) }).toEqual({
      rule: "premium-tier",
      model: "digits-general",
      label: sample.label,
    });
    const explained = await system.router.explain({ request: { ...unlabelled(sample), tier: "premium" } });
    const lite = explained.decision?.explanation?.candidates.find((c) => c.model?.name === "digits-lite");
    expect(lite?.reason).toMatch(/candidate\.metrics\.accuracy >= 0\.95/);
  });

  it("sends the free tier's topic questions to the cheaper topic model", async () => {
    const sample = ofKind("topic")[0]!;
    const response = await system.router.infer({ ...unlabelled(sample, { task: "topic" }), tier: "free" });
    expect({ rule: response.rule, model: response.model?.name }).toEqual({ rule: "topic-free-tier", model: "text-topic-lite" });
  });

  it("answers a record that no model knows with FAILED_PRECONDITION (NO_ROUTE), naming the tabular policy it tried", async () => {
    const error = await system.router
      .infer({ payload: { kind: { case: "binary", value: { data: Buffer.from('{"colour": "red", "size": 3}') } } } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isRpcError(error) ? { code: error.code, names: error.message.includes("tabular") } : error).toEqual({
      code: Code.FAILED_PRECONDITION,
      names: true,
    });
  });

  it("refuses a record missing a feature the model needs, naming the field", async () => {
    const row = JSON.parse(readFileSync(ofKind("breast-cancer")[0]!.path, "utf8")) as JsonObject;
    delete row["worst_radius"];
    const error = await system.router
      .infer({ payload: { kind: { case: "json", value: fromJson(ValueSchema, row) } } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isRpcError(error) ? { code: error.code, fields: error.violations.map((v) => v.field) } : error).toEqual({
      code: Code.INVALID_ARGUMENT,
      fields: ["payload.json.worst_radius"],
    });
  });
});
