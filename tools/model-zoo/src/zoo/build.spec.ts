import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { ModelSchema } from "@modelrouter/contracts";
import { createLogger } from "@modelrouter/telemetry";
import { parse } from "yaml";
import { createRng } from "../rng.js";
import { buildModelZoo, type BuildReport } from "./build.js";
import { ZOO_MODELS, type ZooModelSpec } from "./model-specs.js";

/** 8×8 "scans" where digit d lights up row d % 8 and column 7 (d < 8) or 0 (d ≥ 8), plus noise: easy to learn. */
function syntheticLowresCsv(rows: number): Buffer {
  const rng = createRng(5);
  const lines = Array.from({ length: rows }, (_, r) => {
    const digit = r % 10;
    const pixels = Array.from({ length: 64 }, (_, i) =>
      Math.floor(i / 8) === digit % 8 || i % 8 === (digit < 8 ? 7 : 0) ? 16 : rng.int(3),
    );
    return [...pixels, digit].join(",");
  });
  return gzipSync(lines.join("\n"));
}

const spec = (name: string): ZooModelSpec => {
  const found = ZOO_MODELS.find((s) => s.name === name);
  if (found === undefined) throw new Error(name);
  return found;
};

/** The zoo's MLPs with one or a few epochs, and a degraded copy of the lite model: the pipeline, quickly. */
const quickModels: ZooModelSpec[] = [
  { ...spec("digits-lite"), make: { kind: "train", training: { epochs: 1, batchSize: 64, learningRate: 0.005, learningRateDecay: 1, initSeed: 1, shuffleSeed: 2, inputScale: 1 } } },
  { ...spec("digits-lowres-specialist"), make: { kind: "train", training: { epochs: 5, batchSize: 32, learningRate: 0.01, learningRateDecay: 1, initSeed: 3, shuffleSeed: 4, inputScale: 1 / 16 } } },
  {
    ...spec("digits-general-degraded"),
    network: spec("digits-lite").network,
    preprocessing: spec("digits-lite").preprocessing,
    make: { kind: "degrade", degradation: { from: "digits-lite", noiseSeed: 5, targetDrop: 0.1 } } },
];

let outDir: string;
let report: BuildReport;
const lines: string[] = [];

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), "model-zoo-build-"));
  const csv = join(outDir, "digits.csv.gz");
  writeFileSync(csv, syntheticLowresCsv(900));
  report = await buildModelZoo({
    outDir,
    sklearnDigitsCsv: csv,
    models: quickModels,
    latencyRuns: 20,
    logger: createLogger({ service: "test", write: (line) => lines.push(line) }),
  });
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("buildModelZoo", () => {
  it("writes each model's ONNX file, model card and catalogue entry, with the file's sha256 in the entry", () => {
    for (const { name } of quickModels) {
      const bytes = readFileSync(join(outDir, "models", name, "model.onnx"));
      const entry = fromJson(ModelSchema, parse(readFileSync(join(outDir, "catalogue", "models", `${name}.yaml`), "utf8")) as JsonValue);
      expect(entry.name).toBe(name);
      expect(entry.backend?.kind.case === "onnx" ? entry.backend.kind.value.sha256 : undefined).toBe(createHash("sha256").update(bytes).digest("hex"));
      const card = readFileSync(join(outDir, "models", name, "MODEL_CARD.md"), "utf8");
      expect(card).toContain(`# Model card: ${name}`);
      expect(card).toContain("## Routing gain");
    }
    expect(existsSync(join(outDir, "models", "README.md"))).toBe(true);
  });

  it("checks every exported file against the TypeScript forward pass and evaluates it on both held-out sets", () => {
    for (const r of report.results) {
      expect(r.evaluations.mnist.metrics.samples).toBe(2000);
      expect(r.evaluations.lowres.metrics.samples).toBe(540);
      for (const e of [r.evaluations.mnist, r.evaluations.lowres]) {
        expect(e.maxLogitDifference).toBeLessThanOrEqual(1e-4);
        expect(e.agreeingPredictions).toBe(e.metrics.samples);
      }
      expect(r.latency.p50Ms).toBeGreaterThan(0);
    }
    const [lite, specialist, degraded] = report.results;
    expect(lite?.evaluations.mnist.metrics.accuracy).toBeGreaterThan(0.8);
    expect(specialist?.evaluations.lowres.metrics.accuracy).toBeGreaterThan(0.95);
    expect(degraded?.evaluations.mnist.metrics.accuracy).toBeLessThan((lite?.evaluations.mnist.metrics.accuracy ?? 0) - 0.03);
    expect(lines.some((l) => l.includes('"msg":"model zoo built"'))).toBe(true);
  });

  it("writes one sample PNG per digit and kind that the kind's models classify correctly, and the evaluation sets", () => {
    const index = JSON.parse(readFileSync(join(outDir, "samples", "index.json"), "utf8")) as { file: string; label: string; kind: string }[];
    expect(index).toHaveLength(20);
    for (const s of index) {
      expect(s.file).toBe(`${s.kind}-${s.label}-0.png`);
      expect(existsSync(join(outDir, "samples", s.file))).toBe(true);
    }
    for (const name of ["mnist-test-1000", "lowres-test-540"]) expect(existsSync(join(outDir, "samples", "eval", `${name}.json.gz`))).toBe(true);
  });
});
