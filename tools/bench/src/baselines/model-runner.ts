import { preprocessImage } from "@modelrouter/executor-service";
import { InferenceSession, Tensor } from "onnxruntime-node";
import type { BenchModel } from "./bench-model.js";

/** A ranked class: its label and score, best first. */
export interface LabelScore {
  readonly label: string;
  readonly score: number;
}

/** Runs the benchmark model on PNG bytes: decode, pre-process, ONNX Runtime, post-process. */
export interface ModelRunner {
  classify(png: Uint8Array): Promise<LabelScore[]>;
  close(): Promise<void>;
}

/** The executor's ONNX Runtime session settings (libs/executor-service model-loader.ts): CPU, one thread. */
const SESSION_OPTIONS: InferenceSession.SessionOptions = {
  executionProviders: ["cpu"],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
};

/**
 * Opens an ONNX Runtime session on `model` and returns the work a model server does per request, exactly as
 * modelrouter's executor does it: `preprocessImage` (the executor's own pre-processing: pngjs decode, grayscale,
 * resize, scale, layout), one `session.run`, then its classification post-processing (softmax, the top K labels,
 * ties in class order), which {@link rankScores} repeats.
 */
export async function createModelRunner(model: BenchModel): Promise<ModelRunner> {
  const session = await InferenceSession.create(model.onnxPath, SESSION_OPTIONS);
  const { inputName, outputName } = model;
  return {
    async classify(png) {
      const { data, dims } = preprocessImage(png, model.preprocessing);
      const results = await session.run({ [inputName]: new Tensor("float32", data, dims) }, [outputName]);
      const output = results[outputName];
      if (output === undefined) throw new Error(`${model.name} returned no output "${outputName}"`);
      return rankScores(Array.from(output.data as Float32Array, Number), model.postprocessing);
    },
    close: () => session.release(),
  };
}

/**
 * The executor's classification post-processing (libs/executor-service postprocess.ts), which its package does not
 * export: softmax when asked (stable, the maximum subtracted first), then the `topK` best labels (0: all), ties in
 * class order.
 */
export function rankScores(raw: readonly number[], spec: { readonly labels: readonly string[]; readonly softmax: boolean; readonly topK: number }): LabelScore[] {
  let scores = raw;
  if (spec.softmax) {
    const max = Math.max(...raw);
    const exps = raw.map((s) => Math.exp(s - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    scores = exps.map((e) => e / sum);
  }
  const ranked = scores.map((score, index) => ({ index, score })).sort((a, b) => b.score - a.score || a.index - b.index);
  const top = spec.topK > 0 ? ranked.slice(0, spec.topK) : ranked;
  return top.map(({ index, score }) => ({ label: spec.labels[index] ?? String(index), score }));
}
