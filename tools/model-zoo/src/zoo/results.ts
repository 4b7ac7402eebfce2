import type { ClassificationMetrics } from "../eval/metrics.js";
import type { Latency } from "../eval/onnx-runner.js";
import type { EpochReport } from "../train/trainer.js";
import type { Degradation } from "./degrade.js";
import type { DatasetKind, ZooModelSpec } from "./model-specs.js";

/** A held-out evaluation of one model on one test set, through its own preprocessing and onnxruntime-node. */
export interface EvaluationResult {
  /** For example "mnist-test-2000". */
  readonly dataset: string;
  readonly metrics: ClassificationMetrics;
  /** The ONNX model's predicted class of each sample, in set order. */
  readonly predictions: Uint8Array;
  /** Largest |ONNX logit − TypeScript logit| over the set: the exported file computes what was trained. */
  readonly maxLogitDifference: number;
  /** Samples whose ONNX and TypeScript predictions agree. */
  readonly agreeingPredictions: number;
}

/** How a model was made. */
export type MakeReport =
  | { readonly kind: "train"; readonly seconds: number; readonly epochs: readonly EpochReport[]; readonly trainSamples: number }
  | { readonly kind: "degrade"; readonly seconds: number; readonly degradation: Degradation; readonly calibrationSamples: number };

/** Everything measured about one built model. */
export interface ModelResult {
  readonly spec: ZooModelSpec;
  /** Lower-case hex SHA-256 of model.onnx. */
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly parameters: number;
  readonly make: MakeReport;
  /** On its own test set ("primary") and on the other one (domain shift). */
  readonly evaluations: Readonly<Record<DatasetKind, EvaluationResult>>;
  readonly latency: Latency;
}

/** The machine and runtimes the figures were measured on. */
export interface BuildEnvironment {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly onnxruntime: string;
  readonly platform: string;
}

/** Names of the two held-out sets, as they appear in the catalogue's `metrics.dataset`. */
export const DATASET_NAMES: Readonly<Record<DatasetKind, string>> = {
  mnist: "mnist-test-2000",
  lowres: "sklearn-digits-test-540",
};
