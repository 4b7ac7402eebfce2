import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Model, OnnxBackend } from "@modelrouter/contracts";
import { InferenceSession } from "onnxruntime-node";
import { loadDemoModels, modelZooDir } from "./index.js";

interface Loaded {
  readonly model: Model;
  readonly onnx: OnnxBackend;
  readonly session: InferenceSession;
}

const loaded: Loaded[] = [];

beforeAll(async () => {
  for (const model of loadDemoModels()) {
    const onnx = model.backend?.kind.case === "onnx" ? model.backend.kind.value : undefined;
    if (onnx === undefined) throw new Error(`${model.name} has no ONNX backend`);
    const session = await InferenceSession.create(join(modelZooDir(), onnx.uri), { intraOpNumThreads: 1 });
    loaded.push({ model, onnx, session });
  }
});

afterAll(async () => {
  for (const { session } of loaded) await session.release();
});

/**
 * The model files against their catalogue entries. What the models answer, through the executor's
 * pre-processing (the one implementation of each spec), is checked by libs/executor-service's zoo.spec.ts
 * (images) and zoo-modalities.spec.ts (text, tabular, sensor and audio).
 */
describe("the zoo's ONNX models", () => {
  it("match the sha256 of their catalogue entry", () => {
    expect(loaded.length).toBeGreaterThanOrEqual(13);
    for (const { onnx } of loaded) {
      const bytes = readFileSync(join(modelZooDir(), onnx.uri));
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(onnx.sha256);
    }
  });

  it("load in onnxruntime-node with the input and output their entries name", () => {
    for (const { onnx, session } of loaded) {
      expect(session.inputNames).toEqual([onnx.inputName]);
      expect(session.outputNames).toEqual([onnx.outputName]);
    }
  });
});
