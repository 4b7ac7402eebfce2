import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import { type Logger, createLogger } from "@modelrouter/telemetry";
import { DrainRate, retryAfterMs } from "./capacity-drain-rate.js";
import { overloaded } from "./capacity-overload.js";
import { ModelQueues } from "./capacity-queues.js";
import { modelUnavailable } from "./model-errors.js";
import { inlineInputFits } from "./inline-payload.js";
import { DEFAULT_MAX_MODEL_BYTES } from "./model-file.js";
import { ModelCosts } from "./model-costs.js";
import { ModelCounters, type PoolStats, type TaskOutcome } from "./pool-stats.js";
import { RecentPeak } from "./recent-peak.js";
import type { WorkerRuntime } from "./worker-runtime.js";
import { WorkerSlot } from "./worker-slot.js";
import {
  DEFAULT_IMAGE_LIMITS,
  type ImageLimits,
  type InferenceTask,
  type ModelSource,
  type RunMessage,
  type TaskOutput,
  type WorkerMessage,
  type WorkerSettings,
  deserializeError,
  serializeError,
} from "./worker-protocol.js";

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** The folder model uris are resolved in: every model file must be under it, symbolic links followed. */
  readonly modelRoot: string;
  /** The most bytes a model file may have. Default: 256 MiB. */
  readonly maxModelBytes?: number;
  /** Worker threads (each runs one task or batch at a time). Default: the number of CPUs, at least 1. */
  readonly size?: number;
  /** The most tasks waiting for a worker, all models together; one more is refused at once with OVERLOADED. Default 64. */
  readonly maxQueued?: number;
  /** The most tasks of one model waiting for a worker; one more is refused at once with OVERLOADED. Default: `maxQueued`. */
  readonly maxQueuedPerModel?: number;
  /**
   * The most tasks of one model run together, stacked along the input's batch axis, when the model's input
   * has a symbolic first dimension. Default 1: batching off.
   */
  readonly maxBatchSize?: number;
  /** How long the oldest task of a batchable model waits for more to join it, in milliseconds. Default 2. */
  readonly maxBatchDelayMs?: number;
  /** Models each worker keeps loaded, least recently used first out. Default 8. */
  readonly sessionCacheSize?: number;
  /** A model unused this many milliseconds is unloaded from a worker. Default: never. */
  readonly sessionIdleMs?: number;
  /** Limits on decoded images. Default: 25 million pixels, 256 MiB for the JPEG decoder. */
  readonly imageLimits?: Partial<ImageLimits>;
  /**
   * The worker entry module. Default: `onnx-worker.js` beside this module (the built `dist/onnx-worker.js`).
   * Tests running TypeScript sources pass the built file.
   */
  readonly workerUrl?: URL;
  /** Where worker crashes and restarts are logged. Default: a JSON logger on standard output. */
  readonly logger?: Logger;
  /**
   * Runs a task on the calling thread instead of handing it to a worker when handing it off costs more than
   * running it: when its model is proven cheap (at least {@link INLINE_MIN_RUNS} runs, a moving average under
   * this many milliseconds), its input is small (see `inlineInputFits`), the pool is idle (nothing running or
   * waiting) and no two tasks overlapped in it in the last 100–200 ms, as at low load. Waking a sleeping worker
   * and being woken by its answer cost this VM ~0.5 ms of the calling thread's CPU per task at one request in
   * flight, more than a tiny model's whole run; under load the workers are awake and tasks go to them.
   * Default 0: off (the executor's configuration turns it on, `MODELROUTER_EXECUTOR_INLINE_BELOW_US`).
   */
  readonly inlineBelowMs?: number;
}

/** Runs of a model measured before it may run on the calling thread. */
export const INLINE_MIN_RUNS = 32;
/** Tasks run on the calling thread only while no two overlapped in the pool in the last 100–200 ms. */
const INLINE_LOAD_WINDOW_MS = 100;

/** Options of one {@link WorkerPool.run}. */
export interface RunOptions {
  /** Absolute deadline in epoch milliseconds. A task still waiting then is dropped (DEADLINE_EXCEEDED). */
  readonly deadline?: number;
  /** Cancels the task: a waiting task leaves the queue; a running one's answer is dropped. */
  readonly signal?: AbortSignal;
  /**
   * A mirrored (shadow) task: run only when a worker is idle and no task waits; otherwise refused at once with
   * OVERLOADED (`bound: shadow`), never queued, so that real tasks never wait in a queue behind a shadow.
   */
  readonly shadow?: boolean;
}

/** The answer of one task. */
export interface InferenceResult {
  readonly outputs: readonly TaskOutput[];
  /** Time in the worker (model load if needed, pre-processing, run, post-processing), in milliseconds. */
  readonly inferenceMs: number;
  /** Time waiting for a free worker, in milliseconds. */
  readonly queueMs: number;
}

/** A model version loaded in the pool, and in how many workers. */
export interface LoadedModelVersion {
  readonly name: string;
  readonly version: string;
  readonly workers: number;
}

/** A pool of ONNX worker threads with bounded per-model queues in front. */
export interface WorkerPool {
  /** The folder model uris are resolved in (absolute): every model file must be under it. */
  readonly modelRoot: string;
  /** The number of worker threads. */
  readonly size: number;
  /**
   * Resolves once every worker has started (loaded ONNX Runtime); rejects with MODEL_UNAVAILABLE if a worker
   * fails to start. Tasks submitted before wait in the queue.
   */
  ready(): Promise<void>;
  /**
   * Runs a task on the next free worker, preferring one that has the model loaded; models with waiting tasks
   * are served in turn. Tasks of a batchable model may run together (see `maxBatchSize`).
   *
   * @throws DomainError OVERLOADED when the model's queue or all queues together are full (metadata
   *   `retryAfterMs`: when to retry, from the queue's measured drain rate); DEADLINE_EXCEEDED when the
   *   deadline passes first (a task whose deadline passes before its model run starts is never run); CANCELLED
   *   when the signal aborts first; MODEL_UNAVAILABLE when the model cannot be loaded or run or its worker
   *   crashed; PAYLOAD_UNSUPPORTED when the payload does not fit the model; SERVICE_NOT_READY after `close()`.
   */
  run(task: InferenceTask, options?: RunOptions): Promise<InferenceResult>;
  /**
   * Unloads a model version's sessions from every worker (after the run each is busy with), for example when
   * the version is deregistered. A later task loads it again.
   */
  unload(model: string, version: string): void;
  /**
   * Loads a model's session in one worker (the one with the fewest models loaded or being preloaded, after
   * the run it is busy with) without running it, so that the model's first task does not wait for the load.
   * Resolves at once when a worker has it loaded already.
   *
   * @throws DomainError MODEL_UNAVAILABLE when the file cannot be read or loaded (as a task would fail), or
   *   its worker crashed; SERVICE_NOT_READY when no worker runs or after `close()`.
   */
  preload(model: ModelSource): Promise<void>;
  /** The model versions loaded in at least one worker now, as the workers last reported, by name then version. */
  loadedModels(): LoadedModelVersion[];
  /** A snapshot of the pool's load and per-model counters. */
  stats(): PoolStats;
  /** Refuses new tasks, fails the waiting and running ones (SERVICE_NOT_READY) and terminates the workers. */
  close(): Promise<void>;
}

interface Job {
  readonly id: number;
  readonly task: InferenceTask;
  readonly deadline: number;
  readonly submittedAt: number;
  queueMs: number;
  /** A settled job may still be running in a worker (its caller gave up); its answer is then dropped. */
  state: "queued" | "running" | "settled";
  readonly resolve: (result: InferenceResult) => void;
  readonly reject: (error: unknown) => void;
  readonly cleanup: (() => void)[];
}

interface PendingPreload {
  readonly slot: WorkerSlot;
  readonly model: ModelSource;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const maxRestartDelayMs = 5_000;

/**
 * Starts a pool of worker threads, each with its own ONNX Runtime sessions (CPU, one intra-op thread),
 * because a session run blocks the thread it runs on: the event loop stays free while models run.
 *
 * Each model has a bounded FIFO queue; a free worker takes the next task of the model served longest ago.
 * For a model whose input has a batch axis (learnt from its first run), a free worker takes up to
 * `maxBatchSize` of its tasks at once, as soon as that many wait or the oldest has waited `maxBatchDelayMs`.
 * Expired tasks are dropped from the queues, cancelled ones removed. A worker that dies is replaced (after a
 * growing delay if it never started) and its tasks fail with MODEL_UNAVAILABLE, so the router can fall back.
 */
export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
  const maxQueued = Math.max(0, Math.floor(options.maxQueued ?? 64));
  const maxQueuedPerModel = Math.max(0, Math.floor(options.maxQueuedPerModel ?? maxQueued));
  const maxBatchSize = Math.max(1, Math.floor(options.maxBatchSize ?? 1));
  const maxBatchDelayMs = Math.max(0, options.maxBatchDelayMs ?? 2);
  const logger = options.logger ?? createLogger({ service: "executor" });
  const url = options.workerUrl ?? new URL("./onnx-worker.js", import.meta.url);
  const settings: WorkerSettings = {
    sessionCacheSize: Math.max(1, Math.floor(options.sessionCacheSize ?? 8)),
    sessionIdleMs: Math.max(1, options.sessionIdleMs ?? Number.POSITIVE_INFINITY),
    imageLimits: { ...DEFAULT_IMAGE_LIMITS, ...options.imageLimits },
    modelFiles: { root: options.modelRoot, maxBytes: Math.max(0, Math.floor(options.maxModelBytes ?? DEFAULT_MAX_MODEL_BYTES)) },
  };
  const counters = new ModelCounters();
  const queues = new ModelQueues<Job>();
  const running = new Map<number, Job>();
  const preloads = new Map<number, PendingPreload>();
  const slots: WorkerSlot[] = [];
  const restartTimers = new Set<NodeJS.Timeout>();
  /** Model keys whose input has a batch axis (reported by workers after a run). */
  const batchable = new Set<string>();
  /** The model (name and version) of each key seen, for the counters of `ran` reports. */
  const models = new Map<string, { readonly name: string; readonly version: string }>();
  const drainRates = new Map<string, DrainRate>();
  const poolDrain = new DrainRate();
  let batchTimer: NodeJS.Timeout | undefined;
  const inlineBelowMs = Math.max(0, options.inlineBelowMs ?? 0);
  const costs = new ModelCosts();
  const load = new RecentPeak(INLINE_LOAD_WINDOW_MS);
  let inline: Promise<WorkerRuntime> | undefined;
  let inlineBusy = false;
  let nextId = 1;
  let closed = false;
  let restarts = 0;
  let failedStarts = 0;
  let readyState: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  const readyPromise = new Promise<void>((resolve, reject) => {
    readyState = { resolve, reject };
  });
  readyPromise.catch(() => undefined);

  const statsOf = (job: Job) => counters.of(job.task.model.name, job.task.model.version);
  const drainOf = (key: string): DrainRate => {
    let rate = drainRates.get(key);
    if (rate === undefined) drainRates.set(key, (rate = new DrainRate()));
    return rate;
  };

  const settle = (job: Job, outcome: TaskOutcome, result: InferenceResult | unknown): void => {
    if (job.state === "settled") return;
    const stats = statsOf(job);
    if (job.state === "queued") {
      queues.remove(job.task.model.key, job);
      stats.queued--;
      if (outcome === "expired") stats.dropped++;
    }
    job.state = "settled";
    for (const undo of job.cleanup) undo();
    stats[outcome]++;
    if (outcome === "completed") {
      const done = result as InferenceResult;
      stats.inferenceMsSum += done.inferenceMs;
      stats.queueMsSum += done.queueMs;
      job.resolve(done);
    } else job.reject(result);
  };

  const expire = (job: Job): void => {
    const where = job.state === "queued" ? "while it waited for a worker" : "while the model ran";
    settle(job, "expired", new DomainError(ErrorReason.DEADLINE_EXCEEDED, `the deadline passed ${where}`));
  };

  /** The next model to serve and how many of its tasks to take, or when to look again for a filling batch. */
  const nextBatch = (now: number): { key: string; count: number } | { wakeAt: number } => {
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const [key, queue] of queues.queues()) {
      const oldest = queue[0];
      if (oldest === undefined) continue;
      const count = batchable.has(key) ? maxBatchSize : 1;
      const readyAt = oldest.submittedAt + maxBatchDelayMs;
      if (count === 1 || queue.length >= count || now >= readyAt) return { key, count };
      wakeAt = Math.min(wakeAt, readyAt);
    }
    return { wakeAt };
  };

  /** The job to run on this thread now, if the pool is idle and it is the only one, of a model proven cheap. */
  const inlineCandidate = (): Job | undefined => {
    if (inlineBelowMs === 0 || inlineBusy || running.size > 0 || queues.size !== 1 || load.peak > 1) return undefined;
    for (const [key, queue] of queues.queues()) {
      const only = queue[0];
      if (only !== undefined && queue.length === 1 && inlineInputFits(only.task) && costs.cheap(key, inlineBelowMs, INLINE_MIN_RUNS)) {
        return queues.take(key, 1)[0];
      }
    }
    return undefined;
  };

  const runInline = (job: Job): void => {
    const stats = statsOf(job);
    stats.queued--;
    stats.inFlight++;
    job.state = "running";
    job.queueMs = performance.now() - job.submittedAt;
    inlineBusy = true;
    running.set(job.id, job);
    drainOf(job.task.model.key).record(1);
    poolDrain.record(1);
    inline ??= import("./worker-runtime.js").then(({ createWorkerRuntime }) => createWorkerRuntime(settings));
    void inline
      .then((runtime) => runtime.runBatch([{ type: "run", id: job.id, deadline: job.deadline, task: job.task }]))
      .then(
        (outcome) => {
          if (outcome.runs.length > 0) {
            stats.runs++;
            stats.inlineRuns++;
            stats.batchSizes = { ...stats.batchSizes, "1": (stats.batchSizes["1"] ?? 0) + 1 };
          }
          const item = outcome.items[0];
          if (item !== undefined && "result" in item) {
            costs.observe(job.task.model.key, item.result.inferenceMs);
            return { ok: true as const, done: { ...item.result, queueMs: job.queueMs } };
          }
          return { ok: false as const, error: item?.error ?? new DomainError(ErrorReason.MODEL_UNAVAILABLE, "the model gave no answer") };
        },
        (error: unknown) => ({ ok: false as const, error }),
      )
      .then((answer) => {
        // The same error a worker would have sent: a domain error as it is, anything else INTERNAL with its cause.
        const error = answer.ok ? undefined : deserializeError(serializeError(answer.error));
        inlineBusy = false;
        running.delete(job.id);
        stats.inFlight--;
        if (answer.ok) settle(job, "completed", answer.done);
        else if (error !== undefined) {
          const expired = error.reason === ErrorReason.DEADLINE_EXCEEDED;
          if (expired) stats.dropped++;
          settle(job, expired ? "expired" : "failed", error);
        }
        dispatch();
      });
  };

  const dispatch = (): void => {
    if (batchTimer !== undefined) clearTimeout(batchTimer);
    batchTimer = undefined;
    const alone = inlineCandidate();
    if (alone !== undefined) return runInline(alone);
    for (;;) {
      const idle = slots.filter((slot) => slot.idle);
      if (idle.length === 0 || queues.size === 0) return;
      const now = performance.now();
      const next = nextBatch(now);
      if ("wakeAt" in next) {
        if (Number.isFinite(next.wakeAt)) {
          batchTimer = setTimeout(dispatch, Math.max(0, next.wakeAt - now));
          batchTimer.unref();
        }
        return;
      }
      const slot = idle.find((s) => s.cachedKeys.has(next.key)) ?? idle[0];
      if (slot === undefined) return;
      const jobs: Job[] = [];
      for (const job of queues.take(next.key, next.count)) {
        if (Date.now() >= job.deadline) {
          expire(job);
          continue;
        }
        const stats = statsOf(job);
        stats.queued--;
        stats.inFlight++;
        job.state = "running";
        job.queueMs = performance.now() - job.submittedAt;
        running.set(job.id, job);
        jobs.push(job);
      }
      if (jobs.length === 0) continue;
      drainOf(next.key).record(jobs.length);
      poolDrain.record(jobs.length);
      const items: RunMessage[] = jobs.map((job) => ({ type: "run", id: job.id, deadline: job.deadline, task: job.task }));
      slot.run(items.length === 1 && items[0] !== undefined ? items[0] : { type: "runBatch", items });
    }
  };

  const finish = (slot: WorkerSlot, id: number): Job | undefined => {
    slot.runningIds.delete(id);
    const job = running.get(id);
    running.delete(id);
    if (job !== undefined) statsOf(job).inFlight--;
    return job;
  };

  const onMessage = (slot: WorkerSlot, message: Exclude<WorkerMessage, { type: "ready" }>): void => {
    if (message.type === "cached") return;
    if (message.type === "preloaded") {
      const pending = preloads.get(message.id);
      preloads.delete(message.id);
      if (message.error === undefined) pending?.resolve();
      else pending?.reject(deserializeError(message.error));
      return;
    }
    if (message.type === "ran") {
      if (message.batchable) batchable.add(message.key);
      const model = models.get(message.key);
      if (model !== undefined) {
        const stats = counters.of(model.name, model.version);
        const size = String(message.batchSize);
        stats.runs++;
        stats.batchSizes = { ...stats.batchSizes, [size]: (stats.batchSizes[size] ?? 0) + 1 };
      }
      return;
    }
    const job = finish(slot, message.id);
    if (job !== undefined) {
      if (message.type === "done") {
        costs.observe(job.task.model.key, message.inferenceMs);
        settle(job, "completed", { outputs: message.outputs, inferenceMs: message.inferenceMs, queueMs: job.queueMs });
      } else {
        const error = deserializeError(message.error);
        // A worker answers DEADLINE_EXCEEDED only for a task it dropped before running the model.
        if (error.reason === ErrorReason.DEADLINE_EXCEEDED) statsOf(job).dropped++;
        settle(job, error.reason === ErrorReason.DEADLINE_EXCEEDED ? "expired" : "failed", error);
      }
    }
    if (slot.idle) dispatch();
  };

  const onExit = (slot: WorkerSlot, code: number, error: Error | undefined): void => {
    const index = slots.indexOf(slot);
    const jobs = [...slot.runningIds].flatMap((id) => finish(slot, id) ?? []);
    restarts++;
    logger.error("ONNX worker stopped unexpectedly; replacing it", {
      threadId: slot.threadId,
      exitCode: code,
      ...(error === undefined ? {} : { error: { name: error.name, message: error.message, stack: error.stack } }),
      ...(jobs[0] === undefined ? {} : { model: jobs[0].task.model.name, version: jobs[0].task.model.version, tasks: jobs.length }),
    });
    for (const job of jobs) {
      settle(job, "failed", modelUnavailable(job.task.model, "the worker running it crashed", { cause: error }));
    }
    for (const [id, pending] of preloads) {
      if (pending.slot !== slot) continue;
      preloads.delete(id);
      pending.reject(modelUnavailable(pending.model, "the worker loading it crashed", { cause: error }));
    }
    if (!slot.started) {
      failedStarts++;
      readyState?.reject(
        new DomainError(ErrorReason.MODEL_UNAVAILABLE, "an ONNX worker failed to start; the executor logged why", {
          ...(error === undefined ? {} : { cause: error }),
        }),
      );
    }
    if (closed || index < 0) return;
    const delay = slot.started ? 0 : Math.min(maxRestartDelayMs, 100 * 2 ** Math.min(failedStarts, 10));
    const timer = setTimeout(() => {
      restartTimers.delete(timer);
      if (!closed) slots[index] = startSlot();
    }, delay);
    restartTimers.add(timer);
  };

  const onReady = (): void => {
    failedStarts = 0;
    if (slots.every((slot) => slot.ready)) readyState?.resolve();
    dispatch();
  };

  const startSlot = (): WorkerSlot => new WorkerSlot(url, settings, { onReady, onMessage, onExit });

  /** The OVERLOADED error for a task that finds its model's queue, or all queues, full; undefined when it fits. */
  const refusal = (task: InferenceTask, shadow: boolean): DomainError | undefined => {
    const key = task.model.key;
    const wouldRunNow = slots.some((slot) => slot.idle);
    const ofModel = queues.sizeOf(key);
    if (shadow && (queues.size > 0 || !wouldRunNow)) {
      return overloaded({ model: task.model, bound: "shadow", waiting: queues.size, limit: 0, retryAfterMs: 0 });
    }
    if (ofModel >= maxQueuedPerModel && !(ofModel === 0 && wouldRunNow)) {
      const hint = retryAfterMs(ofModel, drainRates.get(key)?.perMs());
      return overloaded({ model: task.model, bound: "model", waiting: ofModel, limit: maxQueuedPerModel, retryAfterMs: hint });
    }
    if (queues.size >= maxQueued && !(queues.size === 0 && wouldRunNow)) {
      const hint = retryAfterMs(queues.size, poolDrain.perMs());
      return overloaded({ model: task.model, bound: "executor", waiting: queues.size, limit: maxQueued, retryAfterMs: hint });
    }
    return undefined;
  };

  for (let i = 0; i < size; i++) slots.push(startSlot());

  return {
    modelRoot: options.modelRoot,
    size,
    ready: () => readyPromise,
    run(task, runOptions = {}) {
      return new Promise<InferenceResult>((resolve, reject) => {
        const deadline = runOptions.deadline ?? Number.POSITIVE_INFINITY;
        const job: Job = {
          id: nextId++,
          task,
          deadline,
          submittedAt: performance.now(),
          queueMs: 0,
          state: "queued",
          resolve,
          reject,
          cleanup: [],
        };
        const stats = statsOf(job);
        const ref = `${task.model.name}@${task.model.version}`;
        if (closed) {
          reject(new DomainError(ErrorReason.SERVICE_NOT_READY, "the executor is shutting down"));
          return;
        }
        if (Date.now() >= deadline) {
          stats.expired++;
          stats.dropped++;
          reject(new DomainError(ErrorReason.DEADLINE_EXCEEDED, "the deadline passed before the task could be queued"));
          return;
        }
        if (runOptions.signal?.aborted === true) {
          stats.cancelled++;
          reject(new DomainError(ErrorReason.CANCELLED, "the call was cancelled"));
          return;
        }
        const refused = refusal(task, runOptions.shadow === true);
        if (refused !== undefined) {
          stats.rejected++;
          reject(refused);
          return;
        }
        if (Number.isFinite(deadline)) {
          const timer = setTimeout(() => expire(job), Math.max(0, deadline - Date.now()));
          timer.unref();
          job.cleanup.push(() => clearTimeout(timer));
        }
        const signal = runOptions.signal;
        if (signal !== undefined) {
          const onAbort = (): void => {
            if (Date.now() >= deadline) expire(job);
            else settle(job, "cancelled", new DomainError(ErrorReason.CANCELLED, `the call to ${ref} was cancelled`));
          };
          signal.addEventListener("abort", onAbort, { once: true });
          job.cleanup.push(() => signal.removeEventListener("abort", onAbort));
        }
        models.set(task.model.key, { name: task.model.name, version: task.model.version });
        queues.push(task.model.key, job);
        load.observe(running.size + queues.size, job.submittedAt);
        stats.queued++;
        dispatch();
      });
    },
    unload(model, version) {
      const prefix = `${model}@${version}|`;
      for (const key of [...batchable]) if (key.startsWith(prefix)) batchable.delete(key);
      for (const slot of slots) slot.unload(model, version);
      costs.forget(prefix);
      void inline?.then((runtime) => runtime.unload(model, version));
    },
    async preload(model) {
      await readyPromise.catch(() => undefined);
      if (closed) throw new DomainError(ErrorReason.SERVICE_NOT_READY, "the executor is shutting down");
      const ready = slots.filter((slot) => slot.ready);
      if (ready.some((slot) => slot.cachedKeys.has(model.key))) return;
      const pendingOn = (s: WorkerSlot): number => [...preloads.values()].filter((p) => p.slot === s).length;
      const load = (s: WorkerSlot): number => s.cachedKeys.size + pendingOn(s);
      const slot = ready.reduce<WorkerSlot | undefined>((best, s) => (best === undefined || load(s) < load(best) ? s : best), undefined);
      if (slot === undefined) throw new DomainError(ErrorReason.SERVICE_NOT_READY, "no ONNX worker is running; the executor logged why");
      models.set(model.key, { name: model.name, version: model.version });
      const id = nextId++;
      await new Promise<void>((resolve, reject) => {
        preloads.set(id, { slot, model, resolve, reject });
        slot.preload(id, model);
      });
    },
    loadedModels() {
      const workers = new Map<string, LoadedModelVersion>();
      for (const slot of slots) {
        for (const key of slot.cachedKeys) {
          const model = models.get(key);
          if (model === undefined) continue;
          const ref = `${model.name}@${model.version}`;
          workers.set(ref, { ...model, workers: (workers.get(ref)?.workers ?? 0) + 1 });
        }
      }
      return [...workers.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
    },
    stats() {
      return {
        workers: size,
        readyWorkers: slots.filter((slot) => slot.ready).length,
        inFlight: running.size,
        queued: queues.size,
        maxQueued,
        maxQueuedPerModel,
        maxBatchSize,
        maxBatchDelayMs,
        workerRestarts: restarts,
        models: counters.snapshot(),
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (batchTimer !== undefined) clearTimeout(batchTimer);
      for (const timer of restartTimers) clearTimeout(timer);
      restartTimers.clear();
      const stopping = new DomainError(ErrorReason.SERVICE_NOT_READY, "the executor is shutting down");
      for (const job of [...queues.drain(), ...running.values()]) settle(job, "cancelled", stopping);
      for (const pending of preloads.values()) pending.reject(stopping);
      preloads.clear();
      readyState?.reject(stopping);
      await Promise.all(slots.map((slot) => slot.stop()));
      const runtime = await inline?.catch(() => undefined);
      for (const { name, version } of models.values()) runtime?.unload(name, version);
    },
  };
}
