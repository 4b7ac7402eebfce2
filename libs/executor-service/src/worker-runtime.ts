import { performance } from "node:perf_hooks";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import { Tensor } from "onnxruntime-node";
import { decodeImage } from "./image-decode.js";
import { describeImageInput, imageTensorDims, imageToTensor } from "./image-tensor.js";
import { LruCache } from "./lru-cache.js";
import { modelUnavailable } from "./model-errors.js";
import { type FeedTensor, type InputInfo, describeInput, fitDims, formatShape, tensorFeed } from "./model-input.js";
import { type LoadedModel, loadModel } from "./model-loader.js";
import { postprocess } from "./postprocess.js";
import type { InferenceTask, RunMessage, TaskOutput, WorkerSettings } from "./worker-protocol.js";

/** What one task produced in a worker. */
export interface RuntimeResult {
  readonly outputs: readonly TaskOutput[];
  /** Milliseconds from receiving the task to having its answer (load, pre-processing, run, post-processing). */
  readonly inferenceMs: number;
}

/** The inference engine of one worker thread: its session cache and the task pipeline. */
export interface WorkerRuntime {
  /** Runs one task. Throws domain errors for expected failures. */
  run(message: RunMessage): Promise<RuntimeResult>;
  /** The keys of the models loaded now, least recently used first. */
  cachedKeys(): string[];
}

/** Creates the runtime of one worker: sessions are loaded on first use and kept in an LRU cache. */
export function createWorkerRuntime(settings: WorkerSettings): WorkerRuntime {
  const cache = new LruCache<LoadedModel>({
    capacity: settings.sessionCacheSize,
    onEvict: (model) => void model.session.release().catch(() => undefined),
  });
  return {
    cachedKeys: () => cache.keys(),
    async run({ task, deadline }) {
      const started = performance.now();
      const model = await cache.get(task.model.key, () => loadModel(task.model, settings.modelFiles));
      const input = pick(model.inputs, task.inputName, "input", task);
      const outputName = pick(
        model.outputNames.map((name) => ({ name })),
        task.outputName,
        "output",
        task,
      ).name;
      const feed = makeFeed(task, input, settings);
      if (Date.now() >= deadline) {
        throw new DomainError(ErrorReason.DEADLINE_EXCEEDED, "the deadline passed before the model could run");
      }
      const tensor = new Tensor(feed.type, feed.data as Float32Array, feed.dims);
      let results: Awaited<ReturnType<typeof model.session.run>>;
      try {
        results = await model.session.run({ [input.name]: tensor }, [outputName]);
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        throw modelUnavailable(task.model, `it failed to run: ${text.slice(0, 300)}`, { cause: error });
      }
      const out = results[outputName];
      if (out === undefined) throw modelUnavailable(task.model, `it returned no output "${outputName}"`);
      const output = postprocess({ name: outputName, type: out.type, dims: out.dims, data: out.data }, task.output, task.model);
      return { outputs: [output], inferenceMs: performance.now() - started };
    },
  };
}

function pick<T extends { readonly name: string }>(items: readonly T[], wanted: string, what: string, task: InferenceTask): T {
  const found = wanted === "" ? items[0] : items.find((item) => item.name === wanted);
  if (found !== undefined) return found;
  const have = items.map((item) => `"${item.name}"`).join(", ");
  throw modelUnavailable(
    task.model,
    wanted === "" ? `it has no ${what}` : `it has no ${what} named "${wanted}" (its ${what}s: ${have})`,
  );
}

function makeFeed(task: InferenceTask, input: InputInfo, settings: WorkerSettings): FeedTensor {
  const ref = `${task.model.name}@${task.model.version}`;
  if (task.input.kind === "tensor") return tensorFeed(task.input.tensor, input, ref);
  const spec = task.input.spec;
  const dims = imageTensorDims(spec);
  const fitted = fitDims(dims, input);
  if ((input.type !== undefined && input.type !== "float32") || fitted === undefined) {
    throw modelUnavailable(
      task.model,
      `its pre-processing makes a float32 ${formatShape(dims)} tensor but its input "${input.name}" takes ${describeInput(input)}`,
    );
  }
  const image = decodeImage(task.input.data, settings.imageLimits, { field: task.input.field, expects: describeImageInput(spec) });
  return { type: "float32", data: imageToTensor(image, spec), dims: fitted };
}
