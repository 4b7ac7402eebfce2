import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ImagePreprocessing, Model } from "@modelrouter/contracts";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { PNG } from "pngjs";
import { preprocess } from "./image-preprocessing.test-support.js";
import { evaluationImage, loadDemoModels, loadEvaluationSet, loadSampleIndex, modelZooDir, type EvaluationSet } from "./index.js";

interface Loaded {
  readonly model: Model;
  readonly session: InferenceSession;
  readonly preprocessing: ImagePreprocessing;
  readonly labels: readonly string[];
}

const sessions = new Map<string, Loaded>();

beforeAll(async () => {
  for (const model of loadDemoModels()) {
    const onnx = model.backend?.kind.case === "onnx" ? model.backend.kind.value : undefined;
    const preprocessing = onnx?.preprocessing?.kind.case === "image" ? onnx.preprocessing.kind.value : undefined;
    const postprocessing = onnx?.postprocessing?.kind.case === "classification" ? onnx.postprocessing.kind.value : undefined;
    if (onnx === undefined || preprocessing === undefined || postprocessing === undefined) throw new Error(model.name);
    const session = await InferenceSession.create(join(modelZooDir(), onnx.uri), { intraOpNumThreads: 1 });
    sessions.set(model.name, { model, session, preprocessing, labels: postprocessing.labels });
  }
});

afterAll(async () => {
  for (const { session } of sessions.values()) await session.release();
});

function loaded(name: string): Loaded {
  const l = sessions.get(name);
  if (l === undefined) throw new Error(`${name} is not in the catalogue`);
  return l;
}

/** Runs a model on an image file through the preprocessing of its catalogue entry; returns the label. */
async function classify({ session, preprocessing, labels }: Loaded, bytes: Uint8Array): Promise<string> {
  const { data, dims } = preprocess(bytes, preprocessing);
  const out = await session.run({ [session.inputNames[0] ?? "input"]: new Tensor("float32", data, dims) });
  const scores = Array.from(out[session.outputNames[0] ?? "logits"]?.data as Float32Array);
  return labels[scores.indexOf(Math.max(...scores))] ?? "?";
}

function png(set: EvaluationSet, index: number): Uint8Array {
  const image = new PNG({ width: set.width, height: set.height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  image.data = Buffer.from(evaluationImage(set, index));
  return new Uint8Array(PNG.sync.write(image, { colorType: 0, inputColorType: 0, inputHasAlpha: false }));
}

async function accuracy(name: string, set: EvaluationSet): Promise<number> {
  let correct = 0;
  for (let i = 0; i < set.count; i++) if ((await classify(loaded(name), png(set, i))) === set.labels[i]) correct++;
  return correct / set.count;
}

describe("the zoo's ONNX models", () => {
  it("match the sha256 of their catalogue entry", () => {
    for (const { model } of sessions.values()) {
      const onnx = model.backend?.kind.case === "onnx" ? model.backend.kind.value : undefined;
      const bytes = readFileSync(join(modelZooDir(), onnx?.uri ?? ""));
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(onnx?.sha256);
    }
  });

  it("load in onnxruntime-node with the input and output their entries name", () => {
    for (const { model, session } of sessions.values()) {
      const onnx = model.backend?.kind.case === "onnx" ? model.backend.kind.value : undefined;
      expect(session.inputNames).toEqual([onnx?.inputName]);
      expect(session.outputNames).toEqual([onnx?.outputName]);
    }
  });

  it.each([
    ["digits-general", "mnist"],
    ["digits-lite", "mnist"],
    ["digits-general-degraded", "mnist"],
    ["digits-lowres-specialist", "lowres"],
  ])("%s classifies its %s sample PNGs correctly through the preprocessing spec", async (name, kind) => {
    const samples = loadSampleIndex().filter((s) => s.kind === kind);
    expect(samples).toHaveLength(10);
    for (const sample of samples) expect(await classify(loaded(name), readFileSync(sample.path))).toBe(sample.label);
  });

  it("reproduce the specialist's catalogue accuracy exactly on the shipped low-res test split", async () => {
    const set = loadEvaluationSet("lowres-test-540");
    const expected = loaded("digits-lowres-specialist").model.metrics;
    expect(expected?.evaluationSamples).toBe(set.count);
    expect(await accuracy("digits-lowres-specialist", set)).toBeCloseTo(expected?.accuracy ?? 0, 4);
  }, 60_000);

  it("show the routing gain: on 8×8 scans the specialist beats digits-general by more than 30 points", async () => {
    const set = loadEvaluationSet("lowres-test-540");
    const specialist = await accuracy("digits-lowres-specialist", set);
    const general = await accuracy("digits-general", set);
    expect(specialist - general).toBeGreaterThan(0.3);
  }, 60_000);

  it("score at least 95 % (CNN) and 90 % (MLP) on the shipped 1,000 MNIST test digits", async () => {
    const set = loadEvaluationSet("mnist-test-1000");
    expect(await accuracy("digits-general", set)).toBeGreaterThanOrEqual(0.95);
    expect(await accuracy("digits-lite", set)).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});
