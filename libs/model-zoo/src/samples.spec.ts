import { describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { PNG } from "pngjs";
import {
  EVALUATION_SET_NAMES,
  catalogueDir,
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
