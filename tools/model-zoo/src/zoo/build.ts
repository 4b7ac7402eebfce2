import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, platform, release } from "node:os";
import { join } from "node:path";
import { toJsonString } from "@bufbuild/protobuf";
import { ImagePreprocessingSchema } from "@modelrouter/contracts";
import type { Logger } from "@modelrouter/telemetry";
import { imageFeatures } from "../data/features.js";
import { buildFamilies } from "../families/build-families.js";
import type { FamilyResult } from "../families/family-result.js";
import { FAMILIES, type Family } from "../families/family-spec.js";
import { existingFamiliesSection } from "../families/families-readme.js";
import { subset } from "../data/image-set.js";
import { measureLatency, openOnnxModel } from "../eval/onnx-runner.js";
import { classificationMetrics, predictions } from "../eval/metrics.js";
import { parameterCount, type Network } from "../layers/network.js";
import { encodeOnnxModel } from "../onnx/encode-onnx.js";
import { networkToOnnx } from "../onnx/export-network.js";
import { createRng } from "../rng.js";
import { predictLogits, train, type FeatureSet } from "../train/trainer.js";
import { catalogueModel, modelToYaml } from "./catalogue-entry.js";
import { degradeNetwork } from "./degrade.js";
import { evaluateModel } from "./evaluate-model.js";
import { foldInputScale, scaleInputs } from "./fold-input-scale.js";
import { renderModelCard } from "./model-card.js";
import { DIGIT_LABELS, ZOO_MODELS, type DatasetKind, type ZooModelSpec } from "./model-specs.js";
import { environmentLine, resultsTable, routingGainTable } from "./report-tables.js";
import { DATASET_NAMES, type BuildEnvironment, type MakeReport, type ModelResult } from "./results.js";
import { writeEvaluationSet, writeSamplePngs } from "./samples-writer.js";
import { loadZooData, type DataSources, type SplitSets } from "./zoo-data.js";

/** What `--only` selects: the digit image models, or one family of the other modalities. */
export type ZooPart = "digits" | Family;
/** Every part, in build order. */
export const ZOO_PARTS: readonly ZooPart[] = ["digits", ...FAMILIES];

/** Options of {@link buildModelZoo}. */
export interface BuildOptions extends DataSources {
  /** The model-zoo library folder (libs/model-zoo): models/, catalogue/models/ and samples/ are written there. */
  readonly outDir: string;
  readonly logger: Logger;
  /** Which parts to (re)build; the others' files are left as they are. Default: every part, or only "digits" when `models` is given. */
  readonly parts?: readonly ZooPart[];
  /** The digit models to build. Default: all of them. */
  readonly models?: readonly ZooModelSpec[];
  /** Timed single-sample runs per model. Default 2,000. */
  readonly latencyRuns?: number;
}

/** What {@link buildModelZoo} made and measured. */
export interface BuildReport {
  /** The digit models (empty when "digits" was not built). */
  readonly results: readonly ModelResult[];
  /** The text, tabular, sensor and audio models built. */
  readonly familyResults: readonly FamilyResult[];
  readonly environment: BuildEnvironment;
  /** Wall-clock seconds of the whole build. */
  readonly seconds: number;
}

/** How many training samples calibrate the noise of a degraded model. */
const CALIBRATION_SAMPLES = 2000;

function buildEnvironment(): BuildEnvironment {
  const require = createRequire(import.meta.url);
  const ort = JSON.parse(readFileSync(require.resolve("onnxruntime-node/package.json"), "utf8")) as { version: string };
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? "unknown CPU",
    cores: cpu.length,
    node: process.versions.node,
    onnxruntime: ort.version,
    platform: `${platform()} ${release()}`,
  };
}

/** Trains or derives one network. */
function makeNetwork(
  spec: ZooModelSpec,
  data: Readonly<Record<DatasetKind, SplitSets>>,
  built: ReadonlyMap<string, Network>,
  logger: Logger,
): { network: Network; make: MakeReport } {
  const started = performance.now();
  if (spec.make.kind === "train") {
    const t = spec.make.training;
    const network = spec.network(createRng(t.initSeed));
    const features = imageFeatures(data[spec.dataset].train, spec.preprocessing);
    const report = train(network, { ...features, inputs: scaleInputs(features.inputs, t.inputScale) }, {
      epochs: t.epochs,
      batchSize: t.batchSize,
      learningRate: t.learningRate,
      learningRateDecay: t.learningRateDecay,
      rng: createRng(t.shuffleSeed),
      onEpoch: (e) => logger.info("epoch", { model: spec.name, ...e }),
    });
    foldInputScale(network, t.inputScale);
    return { network, make: { kind: "train", seconds: report.seconds, epochs: report.epochs, trainSamples: features.count } };
  }
  const d = spec.make.degradation;
  const base = built.get(d.from);
  if (base === undefined) throw new Error(`${spec.name}: ${d.from} must be built first`);
  const network = spec.network(createRng(0));
  const calibration = imageFeatures(
    subset(data[spec.dataset].train, Array.from({ length: CALIBRATION_SAMPLES }, (_, i) => i)),
    spec.preprocessing,
  );
  const accuracy = (n: Network): number =>
    classificationMetrics(predictions(predictLogits(n, calibration), n.outputs), calibration.labels, n.outputs).accuracy;
  const degradation = degradeNetwork({ base, target: network, noiseSeed: d.noiseSeed, targetDrop: d.targetDrop, accuracy });
  logger.info("degraded", { model: spec.name, ...degradation });
  return {
    network,
    make: { kind: "degrade", seconds: (performance.now() - started) / 1000, degradation, calibrationSamples: calibration.count },
  };
}

/**
 * Builds the model zoo, or the `parts` of it asked for. The digits: loads the offline data, trains (or derives)
 * every model with its seeds, exports ONNX, checks each file against the TypeScript forward pass in
 * onnxruntime-node, evaluates accuracy, macro-F1 and latency on the held-out sets through the executor's
 * preprocessing, and writes model files, model cards, catalogue YAML, sample PNGs and evaluation sets under
 * `outDir`. The other families: see {@link buildFamilies}. Parts not asked for keep their files.
 */
export async function buildModelZoo(options: BuildOptions): Promise<BuildReport> {
  const started = performance.now();
  const { logger, outDir } = options;
  const parts = options.parts ?? (options.models === undefined ? ZOO_PARTS : ["digits"]);
  const environment = buildEnvironment();
  const results = parts.includes("digits") ? await buildDigits(options, environment) : [];
  const families = FAMILIES.filter((family) => parts.includes(family));
  const familyResults = families.length === 0 ? [] : await buildFamilies({ outDir, logger, families, environment, ...(options.latencyRuns === undefined ? {} : { latencyRuns: options.latencyRuns }) });
  const seconds = (performance.now() - started) / 1000;
  logger.info("model zoo built", { outDir, parts, seconds });
  return { results, familyResults, environment, seconds };
}

/** Builds the digit image models (the original zoo). */
async function buildDigits(options: BuildOptions, environment: BuildEnvironment): Promise<ModelResult[]> {
  const started = performance.now();
  const { logger, outDir } = options;
  const specs = options.models ?? ZOO_MODELS;
  const data = loadZooData(options);
  logger.info("data loaded", {
    mnist: { train: data.mnist.train.count, test: data.mnist.test.count },
    lowres: { train: data.lowres.train.count, test: data.lowres.test.count },
  });

  const testFeatures = new Map<string, FeatureSet>();
  const testSet = (kind: DatasetKind, spec: ZooModelSpec): FeatureSet => {
    const key = `${kind}:${toJsonString(ImagePreprocessingSchema, spec.preprocessing)}`;
    const cached = testFeatures.get(key) ?? imageFeatures(data[kind].test, spec.preprocessing);
    testFeatures.set(key, cached);
    return cached;
  };

  const built = new Map<string, Network>();
  const results: ModelResult[] = [];
  for (const spec of specs) {
    const { network, make } = makeNetwork(spec, data, built, logger);
    const shape = testSet(spec.dataset, spec).sampleShape;
    if (shape.join(",") !== network.inputShape.join(",")) {
      throw new Error(`${spec.name}: the preprocessing makes [${shape.join(", ")}] but the network takes [${network.inputShape.join(", ")}]`);
    }
    built.set(spec.name, network);
    const bytes = encodeOnnxModel(
      networkToOnnx(network, {
        name: spec.name,
        docString: `${spec.description}. Trained by modelrouter tools/model-zoo; see MODEL_CARD.md.`,
        producerVersion: "0.1.0",
        metadata: { "modelrouter.name": spec.name, "modelrouter.labels": DIGIT_LABELS.join(",") },
      }),
    );
    const dir = join(outDir, "models", spec.name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "model.onnx"), bytes);

    const runner = await openOnnxModel(bytes);
    try {
      const evaluations = {
        mnist: await evaluateModel(runner, network, testSet("mnist", spec), DATASET_NAMES.mnist),
        lowres: await evaluateModel(runner, network, testSet("lowres", spec), DATASET_NAMES.lowres),
      };
      const latency = await measureLatency(runner, testSet(spec.dataset, spec), { runs: options.latencyRuns ?? 2000 });
      const result: ModelResult = {
        spec,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        sizeBytes: bytes.length,
        parameters: parameterCount(network),
        make,
        evaluations,
        latency,
      };
      results.push(result);
      logger.info("model built", {
        model: spec.name,
        accuracy: evaluations[spec.dataset].metrics.accuracy,
        macroF1: evaluations[spec.dataset].metrics.macroF1,
        lowresAccuracy: evaluations.lowres.metrics.accuracy,
        maxLogitDifference: Math.max(evaluations.mnist.maxLogitDifference, evaluations.lowres.maxLogitDifference),
        p50LatencyMs: latency.p50Ms,
        sizeBytes: bytes.length,
        seconds: make.seconds,
      });
    } finally {
      await runner.release();
    }
  }

  writeCatalogue(outDir, results, environment);
  writeSamples(outDir, data, results);
  const seconds = (performance.now() - started) / 1000;
  const readme = join(outDir, "models", "README.md");
  const families = existsSync(readme) ? existingFamiliesSection(readFileSync(readme, "utf8")) : "";
  writeFileSync(readme, `${zooSummary(results, environment, seconds)}${families === "" ? "" : `\n${families}\n`}`);
  logger.info("digit models built", { seconds });
  return results;
}

function writeCatalogue(outDir: string, results: readonly ModelResult[], env: BuildEnvironment): void {
  const catalogueDir = join(outDir, "catalogue", "models");
  mkdirSync(catalogueDir, { recursive: true });
  for (const result of results) {
    writeFileSync(join(catalogueDir, `${result.spec.name}.yaml`), modelToYaml(catalogueModel(result)));
    writeFileSync(join(outDir, "models", result.spec.name, "MODEL_CARD.md"), renderModelCard(result, results, env));
  }
}

function writeSamples(outDir: string, data: Readonly<Record<DatasetKind, SplitSets>>, results: readonly ModelResult[]): void {
  const dir = join(outDir, "samples");
  const allCorrect = (kind: DatasetKind) => (index: number): boolean =>
    results
      .filter((r) => r.spec.dataset === kind)
      .every((r) => r.evaluations[kind].predictions[index] === data[kind].test.labels[index]);
  const indexPath = join(dir, "index.json");
  const others = existsSync(indexPath)
    ? (JSON.parse(readFileSync(indexPath, "utf8")) as { kind: string }[]).filter((entry) => entry.kind !== "mnist" && entry.kind !== "lowres")
    : [];
  const index = [
    ...writeSamplePngs(dir, data.mnist.test, "mnist", allCorrect("mnist")),
    ...writeSamplePngs(dir, data.lowres.test, "lowres", allCorrect("lowres")),
    ...others,
  ];
  writeFileSync(indexPath, `${JSON.stringify(index, null, 2)}\n`);
  const evalDir = join(dir, "eval");
  const firstMnist = subset(data.mnist.test, Array.from({ length: 1000 }, (_, i) => i));
  writeEvaluationSet(evalDir, "mnist-test-1000", `The first 1,000 digits of ${DATASET_NAMES.mnist} (28×28).`, "mnist", firstMnist);
  writeEvaluationSet(evalDir, "lowres-test-540", `All of ${DATASET_NAMES.lowres} (8×8, pixels round(v·255/16)).`, "lowres", data.lowres.test);
}

function zooSummary(results: readonly ModelResult[], env: BuildEnvironment, seconds: number): string {
  return `# Model zoo: build results

Generated by tools/model-zoo (\`npm run train -w @modelrouter/model-zoo-builder\`); a rebuild overwrites this file.
Each folder holds \`model.onnx\` and its \`MODEL_CARD.md\`; the catalogue entries are in \`../catalogue/models\`.

${resultsTable(results)}

## Routing gain

${routingGainTable(results)}

Measured on ${environmentLine(env)}. Whole build: ${seconds.toFixed(0)} s.
`;
}
