import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { Modality, ModelSchema } from "@modelrouter/contracts";
import { createLogger } from "@modelrouter/telemetry";
import { parse } from "yaml";
import { buildFamilies } from "./build-families.js";
import type { FamilyResult } from "./family-result.js";

let outDir: string;
let results: FamilyResult[];
const digitEntry = { file: "mnist-0-0.png", label: "0", kind: "mnist" };

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), "model-zoo-families-"));
  mkdirSync(join(outDir, "samples"), { recursive: true });
  mkdirSync(join(outDir, "models"), { recursive: true });
  writeFileSync(join(outDir, "samples", "index.json"), JSON.stringify([digitEntry]));
  writeFileSync(join(outDir, "models", "README.md"), "# Model zoo: build results\n\ndigit table\n");
  results = await buildFamilies({
    outDir,
    logger: createLogger({ service: "families-test", write: () => undefined }),
    families: ["sensor"],
    environment: { cpu: "test CPU", cores: 2, node: process.versions.node, onnxruntime: "test", platform: "test" },
    latencyRuns: 20,
  });
}, 300_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("buildFamilies (the sensor family)", () => {
  it("trains both machine-fault models and the spectrum specialist beats the statistics model by more than 5 points", () => {
    expect(results.map((r) => r.spec.name)).toEqual(["sensor-fault-specialist", "sensor-fault-general"]);
    const [specialist, general] = results.map((r) => r.evaluation.metrics.accuracy);
    expect((specialist ?? 0) - (general ?? 0)).toBeGreaterThan(0.05);
    for (const r of results) expect(r.evaluation.maxLogitDifference).toBeLessThanOrEqual(1e-4);
  });

  it("writes each model file, card and catalogue entry, with the file's sha256 and the held-out figures", () => {
    for (const r of results) {
      const bytes = readFileSync(join(outDir, "models", r.spec.name, "model.onnx"));
      const entry = fromJson(ModelSchema, parse(readFileSync(join(outDir, "catalogue", "models", `${r.spec.name}.yaml`), "utf8")) as JsonValue);
      const onnx = entry.backend?.kind.case === "onnx" ? entry.backend.kind.value : undefined;
      expect(onnx?.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
      expect(onnx?.preprocessing?.kind.case).toBe("series");
      expect([entry.modality, entry.task, entry.metrics?.dataset, entry.metrics?.evaluationSamples]).toEqual([Modality.TABULAR, "machine-fault", "vibration-test", 400]);
      expect(entry.metrics?.accuracy).toBe(Number(r.evaluation.metrics.accuracy.toFixed(4)));
      expect(readFileSync(join(outDir, "models", r.spec.name, "MODEL_CARD.md"), "utf8")).toContain("## Compared with the other machine-fault model");
    }
  });

  it("writes the held-out set as labelled sensor records", () => {
    const set = JSON.parse(gunzipSync(readFileSync(join(outDir, "samples", "eval", "vibration-test.json.gz"))).toString("utf8")) as {
      count: number;
      labels: string[];
      payloads: { json: { samples: number[] } }[];
    };
    expect(set.count).toBe(400);
    expect(set.payloads[0]?.json.samples).toHaveLength(256);
    expect(new Set(set.labels)).toEqual(new Set(["normal", "imbalance", "misalignment", "bearing-fault"]));
  });

  it("adds one sample per fault class to the index and keeps the other entries and the README's digit part", () => {
    const index = JSON.parse(readFileSync(join(outDir, "samples", "index.json"), "utf8")) as { file: string; kind: string }[];
    expect(index[0]).toEqual(digitEntry);
    expect(index.filter((e) => e.kind === "vibration")).toHaveLength(4);
    for (const e of index.slice(1)) expect(existsSync(join(outDir, "samples", e.file))).toBe(true);
    const readme = readFileSync(join(outDir, "models", "README.md"), "utf8");
    expect(readme.startsWith("# Model zoo: build results\n\ndigit table\n")).toBe(true);
    expect(readme).toContain("| `sensor-fault-specialist` | machine-fault |");
  });
});
