import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "@modelrouter/telemetry";
import { loadBreastCancerDataset } from "../data/breast-cancer.js";
import { loadFortunesDataset } from "../data/fortunes.js";
import type { PayloadDataset } from "../data/payload.js";
import { loadPenguinsDataset } from "../data/penguins.js";
import { loadSpokenDigitsDataset } from "../data/spoken-digits.js";
import { loadUdhrDataset } from "../data/udhr.js";
import { loadVibrationDataset } from "../data/vibration.js";
import { measureLatency, openOnnxModel } from "../eval/onnx-runner.js";
import { parameterCount } from "../layers/network.js";
import { encodeOnnxModel } from "../onnx/encode-onnx.js";
import { networkToOnnx } from "../onnx/export-network.js";
import { modelToYaml } from "../zoo/catalogue-entry.js";
import type { BuildEnvironment } from "../zoo/results.js";
import { AUDIO_MODELS } from "./audio-models.js";
import { evaluateFamilyModel } from "./evaluate-family-model.js";
import { familyCatalogueModel } from "./family-catalogue.js";
import { renderFamilyCard } from "./family-card.js";
import type { FamilyResult } from "./family-result.js";
import { writeFamilySamples } from "./family-samples.js";
import type { Family, FamilyDataset, FamilyModelSpec } from "./family-spec.js";
import { updateFamiliesReadme } from "./families-readme.js";
import { featureMatrix } from "./feature-matrix.js";
import { featurizerFor, type Featurizer } from "./featurizer.js";
import { writePayloadEvaluationSet } from "./payload-eval-set.js";
import { SENSOR_MODELS } from "./sensor-models.js";
import { TABULAR_MODELS } from "./tabular-models.js";
import { TEXT_MODELS } from "./text-models.js";
import { trainFamilyModel } from "./train-family-model.js";

/** Every family model, by family, in build order. */
export const FAMILY_MODELS: Readonly<Record<Family, readonly FamilyModelSpec[]>> = {
  text: TEXT_MODELS,
  tabular: TABULAR_MODELS,
  sensor: SENSOR_MODELS,
  audio: AUDIO_MODELS,
};

const LOADERS: Readonly<Record<FamilyDataset, () => PayloadDataset>> = {
  udhr: () => loadUdhrDataset(),
  fortunes: () => loadFortunesDataset(),
  "breast-cancer": () => loadBreastCancerDataset(),
  penguins: () => loadPenguinsDataset(),
  vibration: () => loadVibrationDataset(),
  "spoken-digits": () => loadSpokenDigitsDataset(),
};

/** Options of {@link buildFamilies}. */
export interface FamilyBuildOptions {
  readonly outDir: string;
  readonly logger: Logger;
  readonly families: readonly Family[];
  readonly environment: BuildEnvironment;
  /** Timed single-sample runs per model. Default 2,000. */
  readonly latencyRuns?: number;
}

function medianPreprocessMs(featurizer: Featurizer, data: PayloadDataset): number {
  const times = data.test.map((item) => {
    const start = performance.now();
    featurizer.features(item.payload);
    return performance.now() - start;
  });
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

async function buildModel(spec: FamilyModelSpec, data: PayloadDataset, options: FamilyBuildOptions): Promise<FamilyResult> {
  const { logger, outDir } = options;
  const preprocessing = spec.preprocessing(data);
  const featurizer = featurizerFor(spec.name, preprocessing);
  const trainSet = featureMatrix(data.train, featurizer);
  const testSet = featureMatrix(data.test, featurizer);
  logger.info("features made", { model: spec.name, shape: featurizer.sampleShape, train: trainSet.count, test: testSet.count });
  const trained = trainFamilyModel(spec, trainSet, data.classes.length, logger);
  const bytes = encodeOnnxModel(
    networkToOnnx(trained.network, {
      name: spec.name,
      docString: `${spec.description}. Trained by modelrouter tools/model-zoo; see MODEL_CARD.md.`,
      producerVersion: "0.1.0",
      metadata: { "modelrouter.name": spec.name, "modelrouter.labels": data.classes.join(",") },
    }),
  );
  const dir = join(outDir, "models", spec.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "model.onnx"), bytes);
  const runner = await openOnnxModel(bytes);
  try {
    const evaluation = await evaluateFamilyModel(runner, trained.network, testSet, data.classes.length);
    const latency = await measureLatency(runner, testSet, { runs: options.latencyRuns ?? 2000 });
    const result: FamilyResult = {
      spec,
      data,
      preprocessing,
      sampleShape: featurizer.sampleShape,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      sizeBytes: bytes.length,
      parameters: parameterCount(trained.network),
      trained,
      evaluation,
      latency,
      preprocessP50Ms: medianPreprocessMs(featurizer, data),
    };
    logger.info("model built", {
      model: spec.name,
      accuracy: evaluation.metrics.accuracy,
      macroF1: evaluation.metrics.macroF1,
      samples: evaluation.metrics.samples,
      maxLogitDifference: evaluation.maxLogitDifference,
      p50LatencyMs: latency.p50Ms,
      sizeBytes: bytes.length,
      seconds: trained.seconds,
    });
    return result;
  } finally {
    await runner.release();
  }
}

/**
 * Builds the text, tabular, sensor and audio models of `families`: loads (or generates) each dataset once,
 * makes every training and held-out input with the executor's preprocessing functions, trains with the
 * spec's seeds, exports ONNX, checks it against the TypeScript forward pass in onnxruntime-node, and writes
 * model files, cards, catalogue YAML, payload evaluation sets, demo samples and the README section.
 */
export async function buildFamilies(options: FamilyBuildOptions): Promise<FamilyResult[]> {
  const { logger, outDir } = options;
  const all: FamilyResult[] = [];
  for (const family of options.families) {
    const specs = FAMILY_MODELS[family];
    const datasets = new Map<FamilyDataset, PayloadDataset>();
    const results: FamilyResult[] = [];
    for (const spec of specs) {
      let data = datasets.get(spec.dataset);
      if (data === undefined) {
        const started = performance.now();
        data = LOADERS[spec.dataset]();
        datasets.set(spec.dataset, data);
        logger.info("data loaded", { dataset: data.name, train: data.train.length, test: data.test.length, seconds: (performance.now() - started) / 1000 });
      }
      results.push(await buildModel(spec, data, options));
    }
    for (const result of results) {
      mkdirSync(join(outDir, "catalogue", "models"), { recursive: true });
      writeFileSync(join(outDir, "catalogue", "models", `${result.spec.name}.yaml`), modelToYaml(familyCatalogueModel(result)));
      writeFileSync(join(outDir, "models", result.spec.name, "MODEL_CARD.md"), renderFamilyCard(result, results, options.environment));
    }
    const written = new Set<string>();
    for (const result of results) {
      if (written.has(result.spec.evaluationSet)) continue;
      written.add(result.spec.evaluationSet);
      writePayloadEvaluationSet(join(outDir, "samples", "eval"), result.spec.evaluationSet, result.spec.modality, result.data);
    }
    writeFamilySamples(join(outDir, "samples"), family, results);
    all.push(...results);
    logger.info("family built", { family, models: results.map((r) => r.spec.name) });
  }
  updateFamiliesReadme(outDir);
  return all;
}
