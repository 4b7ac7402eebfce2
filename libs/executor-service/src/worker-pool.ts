import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import { type Logger, createLogger } from "@modelrouter/telemetry";
import { modelUnavailable } from "./model-errors.js";
import { DEFAULT_MAX_MODEL_BYTES } from "./model-file.js";
import { ModelCounters, type PoolStats, type TaskOutcome } from "./pool-stats.js";
import { WorkerSlot } from "./worker-slot.js";
import {
  DEFAULT_IMAGE_LIMITS,
  type ImageLimits,
  type InferenceTask,
  type TaskOutput,
  type WorkerMessage,
  type WorkerSettings,
  deserializeError,
} from "./worker-protocol.js";

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** The folder model uris are resolved in: every model file must be under it, symbolic links followed. */
  readonly modelRoot: string;
  /** The most bytes a model file may have. Default: 256 MiB. */
  readonly maxModelBytes?: number;
  /** Worker threads (each runs one task at a time). Default: the number of CPUs, at least 1. */
  readonly size?: number;
  /** The most tasks waiting for a worker; one more is refused at once with OVERLOADED. Default 64. */
  readonly maxQueued?: number;
  /** Models each worker keeps loaded, least recently used first out. Default 8. */
  readonly sessionCacheSize?: number;
  /** Limits on decoded images. Default: 25 million pixels, 256 MiB for the JPEG decoder. */
  readonly imageLimits?: Partial<ImageLimits>;
  /**
   * The worker entry module. Default: `onnx-worker.js` beside this module (the built `dist/onnx-worker.js`).
   * Tests running TypeScript sources pass the built file.
   */
  readonly workerUrl?: URL;
  /** Where worker crashes and restarts are logged. Default: a JSON logger on standard output. */
  readonly logger?: Logger;
}

/** Options of one {@link WorkerPool.run}. */
export interface RunOptions {
  /** Absolute deadline in epoch milliseconds. A task still waiting then is dropped (DEADLINE_EXCEEDED). */
  readonly deadline?: number;
  /** Cancels the task: a waiting task leaves the queue; a running one's answer is dropped. */
  readonly signal?: AbortSignal;
}

/** The answer of one task. */
export interface InferenceResult {
  readonly outputs: readonly TaskOutput[];
  /** Time in the worker (model load if needed, pre-processing, run, post-processing), in milliseconds. */
  readonly inferenceMs: number;
  /** Time waiting for a free worker, in milliseconds. */
  readonly queueMs: number;
}

/** A pool of ONNX worker threads with a bounded queue in front. */
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
   * Runs a task on the next free worker, preferring one that has the model loaded.
   *
   * @throws DomainError OVERLOADED when the queue is full; DEADLINE_EXCEEDED when the deadline passes first;
   *   CANCELLED when the signal aborts first; MODEL_UNAVAILABLE when the model cannot be loaded or run or its
   *   worker crashed; PAYLOAD_UNSUPPORTED when the payload does not fit the model; SERVICE_NOT_READY after
   *   `close()`.
   */
  run(task: InferenceTask, options?: RunOptions): Promise<InferenceResult>;
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

const maxRestartDelayMs = 5_000;

/**
 * Starts a pool of worker threads, each with its own ONNX Runtime sessions (CPU, one intra-op thread),
 * because a session run blocks the thread it runs on: the event loop stays free while models run.
 *
 * A bounded FIFO queue holds the tasks waiting for a worker. Expired tasks are dropped from it, cancelled ones
 * removed. A worker that dies is replaced (after a growing delay if it never started) and its task fails
 * with MODEL_UNAVAILABLE, so the router can fall back.
 */
export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
  const maxQueued = Math.max(0, Math.floor(options.maxQueued ?? 64));
  const logger = options.logger ?? createLogger({ service: "executor" });
  const url = options.workerUrl ?? new URL("./onnx-worker.js", import.meta.url);
  const settings: WorkerSettings = {
    sessionCacheSize: Math.max(1, Math.floor(options.sessionCacheSize ?? 8)),
    imageLimits: { ...DEFAULT_IMAGE_LIMITS, ...options.imageLimits },
    modelFiles: { root: options.modelRoot, maxBytes: Math.max(0, Math.floor(options.maxModelBytes ?? DEFAULT_MAX_MODEL_BYTES)) },
  };
  const counters = new ModelCounters();
  const queue: Job[] = [];
  const running = new Map<number, Job>();
  const slots: WorkerSlot[] = [];
  const restartTimers = new Set<NodeJS.Timeout>();
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

  const settle = (job: Job, outcome: TaskOutcome, result: InferenceResult | unknown): void => {
    if (job.state === "settled") return;
    if (job.state === "queued") {
      const at = queue.indexOf(job);
      if (at >= 0) queue.splice(at, 1);
      statsOf(job).queued--;
    }
    job.state = "settled";
    for (const undo of job.cleanup) undo();
    const stats = statsOf(job);
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

  const dispatch = (): void => {
    for (let job = queue[0]; job !== undefined; job = queue[0]) {
      if (Date.now() >= job.deadline) {
        expire(job);
        continue;
      }
      const idle = slots.filter((slot) => slot.idle);
      const slot = idle.find((s) => s.cachedKeys.has(job.task.model.key)) ?? idle[0];
      if (slot === undefined) return;
      queue.shift();
      const stats = statsOf(job);
      stats.queued--;
      stats.inFlight++;
      job.state = "running";
      job.queueMs = performance.now() - job.submittedAt;
      running.set(job.id, job);
      slot.run({ type: "run", id: job.id, deadline: job.deadline, task: job.task });
    }
  };

  const finish = (slot: WorkerSlot, id: number): Job | undefined => {
    if (slot.runningId === id) slot.runningId = undefined;
    const job = running.get(id);
    running.delete(id);
    if (job !== undefined) statsOf(job).inFlight--;
    return job;
  };

  const onMessage = (slot: WorkerSlot, message: Exclude<WorkerMessage, { type: "ready" }>): void => {
    const job = finish(slot, message.id);
    if (job !== undefined) {
      if (message.type === "done") {
        settle(job, "completed", { outputs: message.outputs, inferenceMs: message.inferenceMs, queueMs: job.queueMs });
      } else {
        const error = deserializeError(message.error);
        settle(job, error.reason === ErrorReason.DEADLINE_EXCEEDED ? "expired" : "failed", error);
      }
    }
    dispatch();
  };

  const onExit = (slot: WorkerSlot, code: number, error: Error | undefined): void => {
    const index = slots.indexOf(slot);
    const job = slot.runningId === undefined ? undefined : finish(slot, slot.runningId);
    restarts++;
    logger.error("ONNX worker stopped unexpectedly; replacing it", {
      threadId: slot.threadId,
      exitCode: code,
      ...(error === undefined ? {} : { error: { name: error.name, message: error.message, stack: error.stack } }),
      ...(job === undefined ? {} : { model: job.task.model.name, version: job.task.model.version }),
    });
    if (job !== undefined) {
      settle(job, "failed", modelUnavailable(job.task.model, "the worker running it crashed", { cause: error }));
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
          reject(new DomainError(ErrorReason.DEADLINE_EXCEEDED, "the deadline passed before the task could be queued"));
          return;
        }
        if (runOptions.signal?.aborted === true) {
          stats.cancelled++;
          reject(new DomainError(ErrorReason.CANCELLED, "the call was cancelled"));
          return;
        }
        if (queue.length >= maxQueued && !(queue.length === 0 && slots.some((slot) => slot.idle))) {
          stats.rejected++;
          reject(
            new DomainError(
              ErrorReason.OVERLOADED,
              `the executor is overloaded: ${queue.length} tasks wait for its ${size} workers; retry later or elsewhere`,
              { metadata: { model: task.model.name, version: task.model.version, maxQueued: String(maxQueued) } },
            ),
          );
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
        queue.push(job);
        stats.queued++;
        dispatch();
      });
    },
    stats() {
      const models = counters.snapshot();
      return {
        workers: size,
        readyWorkers: slots.filter((slot) => slot.ready).length,
        inFlight: running.size,
        queued: queue.length,
        maxQueued,
        workerRestarts: restarts,
        models,
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of restartTimers) clearTimeout(timer);
      restartTimers.clear();
      const stopping = new DomainError(ErrorReason.SERVICE_NOT_READY, "the executor is shutting down");
      for (const job of [...queue, ...running.values()]) settle(job, "cancelled", stopping);
      readyState?.reject(stopping);
      await Promise.all(slots.map((slot) => slot.stop()));
    },
  };
}
