import { performance } from "node:perf_hooks";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import { Tensor } from "onnxruntime-node";
import { type PreparedItem, hasBatchAxis, splitOutput, stackFeeds, stackableGroups } from "./batch-stack.js";
import { SessionCache } from "./capacity-session-cache.js";
import { modelUnavailable } from "./model-errors.js";
import type { FeedTensor } from "./model-input.js";
import { type LoadedModel, loadModel } from "./model-loader.js";
import { type RawOutput, postprocess } from "./postprocess.js";
import { makeFeed } from "./preprocess/make-feed.js";
import type { InferenceTask, ModelSource, RunMessage, TaskOutput, WorkerSettings } from "./worker-protocol.js";

/** What one task produced in a worker. */
export interface RuntimeResult {
  readonly outputs: readonly TaskOutput[];
  /** Milliseconds from receiving the task to having its answer (load, pre-processing, run, post-processing). */
  readonly inferenceMs: number;
}

/** The answer to one task of a batch: its result, or the error that failed it (and only it). */
export type BatchItemResult = { readonly id: number; readonly result: RuntimeResult } | { readonly id: number; readonly error: unknown };

/** One model run made for a batch. */
export interface ModelRun {
  /** Tasks the run answered. */
  readonly batchSize: number;
}

/** What a batch produced: the model runs made, and one answer per task in the batch's order. */
export interface BatchOutcome {
  readonly key: string;
  /** True when the model's input has a batch axis (a symbolic first dimension). */
  readonly batchable: boolean;
  readonly runs: readonly ModelRun[];
  readonly items: readonly BatchItemResult[];
}

/** The inference engine of one worker thread: its session cache and the task pipeline. */
export interface WorkerRuntime {
  /**
   * Runs tasks of one model: each is checked and pre-processed on its own, the ones whose deadline has passed
   * are dropped (DEADLINE_EXCEEDED, never run), and the rest run stacked along the input's batch axis when it
   * has one, else one by one. A stacked run that fails is retried one task at a time, so that only the task
   * at fault fails.
   */
  runBatch(items: readonly RunMessage[]): Promise<BatchOutcome>;
  /** Loads a model's session (if not loaded yet) without running it; rejects as a task's load would. */
  preload(source: ModelSource): Promise<void>;
  /** Unloads every session of a model version; returns how many. */
  unload(model: string, version: string): number;
  /** Unloads the sessions unused for longer than `settings.sessionIdleMs`; returns how many. */
  evictIdle(): number;
  /** The keys of the models loaded now, least recently used first. */
  cachedKeys(): string[];
}

interface Prepared extends PreparedItem<RunMessage> {
  readonly batchAxis: boolean;
}

/**
 * Creates the runtime of one worker: sessions are loaded on first use and kept in an LRU cache, unloaded when
 * idle too long or when asked.
 */
export function createWorkerRuntime(settings: WorkerSettings): WorkerRuntime {
  const cache = new SessionCache<LoadedModel>({
    capacity: settings.sessionCacheSize,
    idleMs: settings.sessionIdleMs,
    onEvict: (model) => void model.session.release().catch(() => undefined),
  });

  const prepare = (item: RunMessage, model: LoadedModel): Prepared => {
    const { task } = item;
    const input = pick(model.inputs, task.inputName, "input", task);
    const outputName = pick(
      model.outputNames.map((name) => ({ name })),
      task.outputName,
      "output",
      task,
    ).name;
    const feed = makeFeed(task, input, settings);
    return { ref: item, inputName: input.name, outputName, feed, batchAxis: hasBatchAxis(input) };
  };

  return {
    cachedKeys: () => cache.keys(),
    preload: async (source) => void (await cache.get(source.key, () => loadModel(source, settings.modelFiles))),
    unload: (model, version) => cache.removeWhere((key) => key.startsWith(`${model}@${version}|`)),
    evictIdle: () => cache.evictIdle(),
    async runBatch(items) {
      const started = performance.now();
      const source = items[0]?.task.model;
      if (source === undefined) return { key: "", batchable: false, runs: [], items: [] };
      let model: LoadedModel;
      try {
        model = await cache.get(source.key, () => loadModel(source, settings.modelFiles));
      } catch (error) {
        return { key: source.key, batchable: false, runs: [], items: items.map((item) => ({ id: item.id, error })) };
      }
      const answers = new Map<number, BatchItemResult>();
      const runs: ModelRun[] = [];
      const fail = (item: RunMessage, error: unknown): void => void answers.set(item.id, { id: item.id, error });
      const answer = (item: Prepared, raw: RawOutput): void => {
        try {
          const output = postprocess(raw, item.ref.task.output, source);
          answers.set(item.ref.id, { id: item.ref.id, result: { outputs: [output], inferenceMs: performance.now() - started } });
        } catch (error) {
          fail(item.ref, error);
        }
      };
      const live = (group: readonly Prepared[]): Prepared[] =>
        group.filter((item) => {
          if (Date.now() < item.ref.deadline) return true;
          fail(item.ref, new DomainError(ErrorReason.DEADLINE_EXCEEDED, "the deadline passed before the model could run"));
          return false;
        });

      const prepared: Prepared[] = [];
      for (const item of items) {
        try {
          prepared.push(prepare(item, model));
        } catch (error) {
          fail(item, error);
        }
      }
      const stackable = stackableGroups(prepared.filter((p) => p.batchAxis));
      const groups = [...stackable, ...prepared.filter((p) => !p.batchAxis).map((p) => [p])];
      for (const group of groups) {
        const ready = live(group);
        if (ready.length > 1) {
          const outputs = await runStacked(model, source, ready);
          if (outputs !== undefined) {
            runs.push({ batchSize: ready.length });
            ready.forEach((item, i) => answer(item, outputs[i] as RawOutput));
            continue;
          }
        }
        for (const item of ready) {
          if (live([item]).length === 0) continue;
          try {
            const output = await runOnce(model, source, item.feed, item.inputName, item.outputName);
            runs.push({ batchSize: 1 });
            answer(item, output);
          } catch (error) {
            fail(item.ref, error);
          }
        }
      }
      const first = items[0]?.task;
      return {
        key: source.key,
        batchable: first !== undefined && batchAxisOf(model, first),
        runs,
        items: items.map((item) => answers.get(item.id) ?? { id: item.id, error: new DomainError(ErrorReason.INTERNAL, "a batch lost a task") }),
      };
    },
  };
}

/** Runs a group stacked; undefined when the run fails or its output cannot be split back (then run each alone). */
async function runStacked(model: LoadedModel, source: ModelSource, group: readonly Prepared[]): Promise<RawOutput[] | undefined> {
  const first = group[0];
  if (first === undefined) return undefined;
  try {
    const output = await runOnce(model, source, stackFeeds(group.map((item) => item.feed)), first.inputName, first.outputName);
    return splitOutput(
      output,
      group.map((item) => item.feed.dims[0] ?? 0),
    );
  } catch {
    return undefined;
  }
}

async function runOnce(model: LoadedModel, source: ModelSource, feed: FeedTensor, inputName: string, outputName: string): Promise<RawOutput> {
  const tensor = new Tensor(feed.type, feed.data as Float32Array, feed.dims);
  let results: Awaited<ReturnType<typeof model.session.run>>;
  try {
    results = await model.session.run({ [inputName]: tensor }, [outputName]);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw modelUnavailable(source, `it failed to run: ${text.slice(0, 300)}`, { cause: error });
  }
  const out = results[outputName];
  if (out === undefined) throw modelUnavailable(source, `it returned no output "${outputName}"`);
  return { name: outputName, type: out.type, dims: out.dims, data: out.data };
}

function batchAxisOf(model: LoadedModel, task: InferenceTask): boolean {
  const input = task.inputName === "" ? model.inputs[0] : model.inputs.find((i) => i.name === task.inputName);
  return input !== undefined && hasBatchAxis(input);
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
