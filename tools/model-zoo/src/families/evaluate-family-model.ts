import { classificationMetrics, predictions, type ClassificationMetrics } from "../eval/metrics.js";
import type { OnnxRunner } from "../eval/onnx-runner.js";
import type { Network } from "../layers/network.js";
import { predictLogits, type FeatureSet } from "../train/trainer.js";
import { LOGIT_TOLERANCE } from "../zoo/evaluate-model.js";

/** A family model's held-out evaluation in onnxruntime-node, checked against the TypeScript forward pass. */
export interface FamilyEvaluation {
  readonly metrics: ClassificationMetrics;
  /** The predicted class of each held-out sample. */
  readonly predictions: Uint8Array;
  readonly maxLogitDifference: number;
}

/** The class of each row of an output matrix: argmax, or for a single logit, 1 when it is positive. */
export function outputClasses(outputs: Float32Array, width: number): Uint8Array {
  return width === 1 ? Uint8Array.from(outputs, (v) => (v > 0 ? 1 : 0)) : predictions(outputs, width);
}

/**
 * Runs `set` one sample at a time through the exported model and the network it came from; throws when any
 * output differs by more than {@link LOGIT_TOLERANCE}, else measures the ONNX predictions against the labels.
 */
export async function evaluateFamilyModel(runner: OnnxRunner, network: Network, set: FeatureSet, classes: number): Promise<FamilyEvaluation> {
  const onnx = await runner.runAll(set);
  const ts = predictLogits(network, set);
  let maxDiff = 0;
  for (let i = 0; i < onnx.length; i++) maxDiff = Math.max(maxDiff, Math.abs((onnx[i] as number) - (ts[i] as number)));
  if (onnx.length !== ts.length || !(maxDiff <= LOGIT_TOLERANCE)) {
    throw new Error(`ONNX and TypeScript outputs differ by ${maxDiff} (> ${LOGIT_TOLERANCE})`);
  }
  const predicted = outputClasses(onnx, network.outputs);
  return { metrics: classificationMetrics(predicted, set.labels, classes), predictions: predicted, maxLogitDifference: maxDiff };
}
