import { describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { PNG } from "pngjs";
import type { Model, Postprocessing } from "@modelrouter/contracts";
import {
  EVALUATION_SET_NAMES,
  PAYLOAD_EVALUATION_SET_NAMES,
  catalogueDir,
  loadDemoModels,
  loadPayloadEvaluationSet,
  loadPayloadSamples,
  evaluationImage,
  loadEvaluationSet,
  loadSampleIndex,
  modelZooDir,
  samplesDir,
} from "./index.js";

describe("package paths", () => {
  it("are absolute folders of this package", () => {
    for (const dir of [modelZooDir(), catalogueDir(), samplesDir()]) {
      expect(isAbsolute(dir)).toBe(true);
      expect(existsSync(dir)).toBe(true);
    }
    expect(existsSync(join(modelZooDir(), "digits-general", "model.onnx"))).toBe(true);
    expect(existsSync(join(modelZooDir(), "digits-general", "MODEL_CARD.md"))).toBe(true);
  });
});

describe("loadSampleIndex", () => {
  it("lists one 28×28 MNIST PNG and one 8×8 low-res PNG per digit, named after its label", () => {
    const samples = loadSampleIndex();
    expect(samples).toHaveLength(20);
    for (const kind of ["mnist", "lowres"] as const) {
      const ofKind = samples.filter((s) => s.kind === kind);
      expect(ofKind.map((s) => s.label).sort()).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
      for (const s of ofKind) {
        expect(s.file).toBe(`${kind}-${s.label}-0.png`);
        const image = PNG.sync.read(readFileSync(s.path));
        expect([image.width, image.height, image.colorType]).toEqual(kind === "mnist" ? [28, 28, 0] : [8, 8, 0]);
      }
    }
  });
});

describe("loadPayloadSamples", () => {
  const others = loadPayloadSamples();

  it("lists sentences, topic texts, records and WAV clips, each for a catalogue model whose labels include its label", () => {
    expect(new Set(others.map((s) => s.kind))).toEqual(new Set(["language", "topic", "breast-cancer", "penguin", "vibration", "spoken-digit"]));
    for (const s of others) {
      const model = loadDemoModels().find((m) => m.name === s.model);
      const post = postprocessingOf(model);
      expect(post?.case === "classification" ? post.value.labels : []).toContain(s.label);
      expect(existsSync(s.path)).toBe(true);
    }
  });

  it("has one vibration record per fault class and files readable as their kind", () => {
    expect(others.filter((s) => s.kind === "vibration").map((s) => s.file).sort()).toEqual(
      ["sensor-bearing-fault.json", "sensor-imbalance.json", "sensor-misalignment.json", "sensor-normal.json"],
    );
    for (const s of others) {
      const bytes = readFileSync(s.path);
      if (s.file.endsWith(".wav")) expect(bytes.subarray(0, 4).toString("latin1") + bytes.subarray(8, 12).toString("latin1")).toBe("RIFFWAVE");
      else if (s.file.endsWith(".json")) expect(typeof JSON.parse(bytes.toString("utf8"))).toBe("object");
      else expect(bytes.toString("utf8").trim().length).toBeGreaterThan(10);
    }
  });
});

describe("loadPayloadEvaluationSet", () => {
  it.each(PAYLOAD_EVALUATION_SET_NAMES.map((name) => [name]))("reads %s: as many labelled payloads as its models' metrics count", (name) => {
    const set = loadPayloadEvaluationSet(name);
    const models = loadDemoModels().filter((m) => m.metrics?.dataset === name);
    expect(models.length).toBeGreaterThan(0);
    for (const model of models) {
      expect(set.modality).toBe(model.modality);
      expect(set.payloads).toHaveLength(model.metrics?.evaluationSamples ?? -1);
      const post = postprocessingOf(model);
      expect(set.classes).toEqual(post?.case === "classification" ? post.value.labels : []);
    }
    expect(set.labels).toHaveLength(set.payloads.length);
    expect(new Set(set.labels)).toEqual(new Set(set.classes));
  });

  it("gives WAV bytes for audio, parsed records for tabular data and strings for text", () => {
    const audio = loadPayloadEvaluationSet("spoken-digits-test").payloads[0];
    expect(audio !== undefined && "audio" in audio ? Buffer.from(audio.audio.subarray(0, 4)).toString("latin1") : "").toBe("RIFF");
    const record = loadPayloadEvaluationSet("breast-cancer-test").payloads[0];
    expect(record !== undefined && "json" in record ? Object.keys(record.json as object) : []).toContain("worst_concave_points");
    const text = loadPayloadEvaluationSet("udhr-sentences-test").payloads[0];
    expect(text !== undefined && "text" in text ? text.text.length : 0).toBeGreaterThan(10);
  });
});

describe("loadEvaluationSet", () => {
  it.each([
    ["mnist-test-1000", 1000, 28],
    ["lowres-test-540", 540, 8],
  ] as const)("reads %s: %i labelled %i-pixel-square images", (name, count, side) => {
    const set = loadEvaluationSet(name);
    expect([set.count, set.width, set.height, set.labels.length]).toEqual([count, side, side, count]);
    expect(new Set(set.labels)).toEqual(new Set(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]));
    expect(evaluationImage(set, count - 1)).toHaveLength(side * side);
    expect(Math.max(...evaluationImage(set, 0))).toBeGreaterThan(100);
  });

  it("knows every shipped set by name", () => {
    expect([...EVALUATION_SET_NAMES]).toEqual(["mnist-test-1000", "lowres-test-540"]);
  });
});

/** The post-processing of an ONNX model's backend. */
function postprocessingOf(model: Model | undefined): Postprocessing["kind"] | undefined {
  const kind = model?.backend?.kind;
  return kind?.case === "onnx" ? kind.value.postprocessing?.kind : undefined;
}
