import { classificationMetrics, predictions } from "../eval/metrics.js";
import type { OnnxRunner } from "../eval/onnx-runner.js";
import type { Network } from "../layers/network.js";
import { predictLogits, type FeatureSet } from "../train/trainer.js";
import type { EvaluationResult } from "./results.js";

/** The largest |ONNX − TypeScript| logit difference the build accepts. */
export const LOGIT_TOLERANCE = 1e-4;

/**
 * Evaluates an exported model in onnxruntime-node on `set` (one sample at a time) and checks it against the
 * TypeScript forward pass of the network it was exported from: every logit within {@link LOGIT_TOLERANCE}.
 * Throws when they differ, since the file would then not be the trained model.
 */
export async function evaluateModel(
  runner: OnnxRunner,
  network: Network,
  set: FeatureSet,
  dataset: string,
): Promise<EvaluationResult> {
  const onnx = await runner.runAll(set);
  const ts = predictLogits(network, set);
  let maxDiff = 0;
  for (let i = 0; i < onnx.length; i++) maxDiff = Math.max(maxDiff, Math.abs((onnx[i] as number) - (ts[i] as number)));
  if (!(maxDiff <= LOGIT_TOLERANCE)) {
    throw new Error(`${dataset}: ONNX and TypeScript logits differ by ${maxDiff} (> ${LOGIT_TOLERANCE})`);
  }
  const onnxPredictions = predictions(onnx, network.outputs);
  const tsPredictions = predictions(ts, network.outputs);
  const agreeing = onnxPredictions.reduce((n, p, i) => n + (p === tsPredictions[i] ? 1 : 0), 0);
  return {
    dataset,
    metrics: classificationMetrics(onnxPredictions, set.labels, network.outputs),
    predictions: onnxPredictions,
    maxLogitDifference: maxDiff,
    agreeingPredictions: agreeing,
  };
}
