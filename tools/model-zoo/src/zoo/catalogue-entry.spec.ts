import { describe, expect, it } from "@jest/globals";
import { equals, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { ModelSchema, ModelStatus } from "@modelrouter/contracts";
import { parse } from "yaml";
import { catalogueModel, modelToYaml } from "./catalogue-entry.js";
import { ZOO_MODELS } from "./model-specs.js";
import type { EvaluationResult, ModelResult } from "./results.js";

const evaluation = (dataset: string, accuracy: number): EvaluationResult => ({
  dataset,
  metrics: { accuracy, macroF1: accuracy - 0.001, confusion: [], samples: 2000 },
  predictions: new Uint8Array(0),
  maxLogitDifference: 1e-6,
  agreeingPredictions: 2000,
});

function fakeResult(name: string): ModelResult {
  const spec = ZOO_MODELS.find((s) => s.name === name);
  if (spec === undefined) throw new Error(name);
  return {
    spec,
    sha256: "ab".repeat(32),
    sizeBytes: 1000,
    parameters: 10,
    make: { kind: "train", seconds: 1, epochs: [], trainSamples: 1 },
    evaluations: { mnist: evaluation("mnist-test-2000", 0.97123), lowres: evaluation("sklearn-digits-test-540", 0.5) },
    latency: { p50Ms: 0.0251234, p90Ms: 0.03, runs: 10 },
  };
}

describe("catalogue entries", () => {
  it("round-trips through YAML as the protobuf JSON mapping of a Model", () => {
    const model = catalogueModel(fakeResult("digits-general"));
    const yaml = modelToYaml(model);
    expect(yaml).toContain("modality: MODALITY_IMAGE");
    expect(yaml).toContain("labels: { domain: digits, resolution: standard, size: medium }");
    const parsed = fromJson(ModelSchema, parse(yaml) as JsonValue);
    expect(equals(ModelSchema, parsed, model)).toBe(true);
    expect(parsed.metrics?.accuracy).toBe(0.9712);
    expect(parsed.backend?.kind.case).toBe("onnx");
  });

  it("keeps the degraded model out of the default selector: staged, and without size=medium", () => {
    const model = catalogueModel(fakeResult("digits-general-degraded"));
    expect(model.status).toBe(ModelStatus.STAGING);
    expect(model.labels["size"]).toBeUndefined();
  });
});
