import { InferenceSession, Tensor } from "onnxruntime-node";
import type { FeatureSet } from "../train/trainer.js";

/** An ONNX model loaded in onnxruntime-node with one intra-op thread (as the executor runs it). */
export interface OnnxRunner {
  readonly inputName: string;
  readonly outputName: string;
  /** Runs one sample; returns the first output's data. */
  run(data: Float32Array, dims: readonly number[]): Promise<Float32Array>;
  /** Runs every sample of `set` one at a time (batch of one); returns the outputs one after another. */
  runAll(set: Pick<FeatureSet, "count" | "sampleShape" | "inputs">): Promise<Float32Array>;
  release(): Promise<void>;
}

/** Opens a model from its file bytes or path. */
export async function openOnnxModel(model: Uint8Array | string): Promise<OnnxRunner> {
  const options: InferenceSession.SessionOptions = {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
  };
  const session =
    typeof model === "string" ? await InferenceSession.create(model, options) : await InferenceSession.create(model, options);
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  if (inputName === undefined || outputName === undefined) throw new Error("model has no input or no output");
  const run = async (data: Float32Array, dims: readonly number[]): Promise<Float32Array> => {
    const result = await session.run({ [inputName]: new Tensor("float32", data, dims) });
    const out = result[outputName];
    if (out === undefined || !(out.data instanceof Float32Array)) throw new Error(`no float32 output ${outputName}`);
    return out.data;
  };
  return {
    inputName,
    outputName,
    run,
    runAll: async (set) => {
      const size = set.sampleShape.reduce((a, b) => a * b, 1);
      const parts: Float32Array[] = [];
      for (let i = 0; i < set.count; i++) {
        parts.push(await run(set.inputs.slice(i * size, (i + 1) * size), [1, ...set.sampleShape]));
      }
      const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    },
    release: () => session.release(),
  };
}

/** Single-sample latency percentiles, in milliseconds. */
export interface Latency {
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly runs: number;
}

/**
 * Times `runs` single-sample inferences (after `warmup` untimed ones), cycling through the samples of `set`;
 * each timing covers tensor creation, `session.run` and reading the output.
 */
export async function measureLatency(
  runner: OnnxRunner,
  set: Pick<FeatureSet, "count" | "sampleShape" | "inputs">,
  { warmup = 100, runs = 1000 }: { readonly warmup?: number; readonly runs?: number } = {},
): Promise<Latency> {
  const size = set.sampleShape.reduce((a, b) => a * b, 1);
  const dims = [1, ...set.sampleShape];
  const sample = (i: number): Float32Array => set.inputs.slice((i % set.count) * size, ((i % set.count) + 1) * size);
  for (let i = 0; i < warmup; i++) await runner.run(sample(i), dims);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const input = sample(i);
    const start = performance.now();
    await runner.run(input, dims);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
  return { p50Ms: at(0.5), p90Ms: at(0.9), runs };
}
