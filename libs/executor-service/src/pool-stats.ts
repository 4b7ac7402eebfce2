/** Counters of one model version in a worker pool, since the pool started. */
export interface ModelStats {
  readonly model: string;
  readonly version: string;
  /** Tasks running in a worker now (including ones whose caller gave up and whose answer will be dropped). */
  readonly inFlight: number;
  /** Tasks waiting for a worker now. */
  readonly queued: number;
  /** Tasks answered successfully. */
  readonly completed: number;
  /** Tasks that failed in a worker (bad payload, model unavailable, worker crash). */
  readonly failed: number;
  /** Tasks refused at once because the queue was full (OVERLOADED). */
  readonly rejected: number;
  /** Tasks whose deadline passed before they were answered. */
  readonly expired: number;
  /** Of the expired tasks, those dropped before their model run started: they never ran. */
  readonly dropped: number;
  /** Tasks whose caller cancelled them. */
  readonly cancelled: number;
  /** Sum of the in-worker time of the completed tasks, in milliseconds (÷ completed = mean latency). */
  readonly inferenceMsSum: number;
  /** Sum of the queueing time of the completed tasks, in milliseconds. */
  readonly queueMsSum: number;
  /** Model runs made (a batched run answers several tasks at once). */
  readonly runs: number;
  /** Model runs by the number of tasks they answered: `{ "1": 40, "8": 3 }`. */
  readonly batchSizes: Readonly<Record<string, number>>;
  /** Of the runs, those made on the pool's own thread instead of a worker (a cheap model at low load). */
  readonly inlineRuns: number;
}

/** A snapshot of a worker pool, for health checks and load-aware routing. */
export interface PoolStats {
  /** Worker threads the pool keeps. */
  readonly workers: number;
  /** Workers started and able to take tasks now. */
  readonly readyWorkers: number;
  /** Tasks running in workers now. */
  readonly inFlight: number;
  /** Tasks waiting for a worker now. */
  readonly queued: number;
  /** The bound of all queues together: a task arriving when this many wait is refused. */
  readonly maxQueued: number;
  /** Each model's own bound: a task arriving when this many of its model wait is refused. */
  readonly maxQueuedPerModel: number;
  /** The most tasks of one model run together (1: batching off). */
  readonly maxBatchSize: number;
  /** How long a batch waits to fill up, in milliseconds. */
  readonly maxBatchDelayMs: number;
  /** Workers that died and were replaced. */
  readonly workerRestarts: number;
  /** Per model version, in the order first seen. */
  readonly models: readonly ModelStats[];
}

/** The outcome of one task, for the counters. */
export type TaskOutcome = "completed" | "failed" | "rejected" | "expired" | "cancelled";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Mutable per-model counters kept by the pool. */
export class ModelCounters {
  readonly #byModel = new Map<string, Mutable<ModelStats>>();

  /** The counters of a model version, created on first use. */
  of(model: string, version: string): Mutable<ModelStats> {
    const key = `${model}@${version}`;
    let stats = this.#byModel.get(key);
    if (stats === undefined) {
      stats = {
        model,
        version,
        inFlight: 0,
        queued: 0,
        completed: 0,
        failed: 0,
        rejected: 0,
        expired: 0,
        cancelled: 0,
        inferenceMsSum: 0,
        queueMsSum: 0,
        runs: 0,
        batchSizes: {},
        inlineRuns: 0,
        dropped: 0,
      };
      this.#byModel.set(key, stats);
    }
    return stats;
  }

  /** A copy of every model's counters. */
  snapshot(): ModelStats[] {
    return [...this.#byModel.values()].map((s) => ({ ...s, batchSizes: { ...s.batchSizes } }));
  }
}
