import { Counter, Gauge, type Registry } from "prom-client";

/** One model version's counters in an executor's worker pool (the executor's `PoolStats.models`). */
export interface PoolModelSnapshot {
  readonly model: string;
  readonly version: string;
  readonly inFlight: number;
  readonly queued: number;
  readonly completed: number;
  readonly failed: number;
  readonly rejected: number;
  readonly expired: number;
  readonly cancelled: number;
  readonly inferenceMsSum: number;
  readonly queueMsSum: number;
  readonly runs: number;
  readonly batchSizes: Readonly<Record<string, number>>;
}

/** An executor's worker pool as its `stats()` reports it. */
export interface PoolSnapshot {
  readonly workers: number;
  readonly readyWorkers: number;
  readonly queued: number;
  readonly maxQueued: number;
  readonly workerRestarts: number;
  readonly models: readonly PoolModelSnapshot[];
}

const TASK_OUTCOMES = ["completed", "failed", "rejected", "expired", "cancelled"] as const;

/**
 * An executor's metrics, read from its worker pool's counters when Prometheus scrapes (nothing is added to the
 * inference path):
 * - `modelrouter_executor_workers` by `state` (`configured`, `ready`) and `modelrouter_executor_worker_restarts_total`;
 * - `modelrouter_executor_queue_depth` and `modelrouter_executor_in_flight` by `model` and `version`, and
 *   `modelrouter_executor_queue_capacity` (the bound of all queues together);
 * - `modelrouter_executor_tasks_total` by `model`, `version` and `outcome` (`completed`, `failed`, `rejected`: queue
 *   full, `expired`: deadline passed, `cancelled`);
 * - `modelrouter_executor_inference_seconds_total` and `modelrouter_executor_queue_seconds_total` by `model` and
 *   `version`: time in the model and waiting for a worker, of the completed tasks (÷ completed tasks = the mean);
 * - `modelrouter_executor_batches_total` by `model`, `version` and `size`: model runs by how many tasks they answered.
 */
export function createExecutorMetrics(registry: Registry, stats: () => PoolSnapshot): void {
  const perModel = (name: string, help: string, value: (m: PoolModelSnapshot) => number, type: "counter" | "gauge") => {
    const collect = function (this: Gauge | Counter) {
      this.reset();
      for (const m of stats().models) {
        const v = value(m);
        if (type === "gauge") (this as Gauge).set({ model: m.model, version: m.version }, v);
        else if (v > 0) (this as Counter).inc({ model: m.model, version: m.version }, v);
      }
    };
    return type === "gauge"
      ? new Gauge({ name, help, labelNames: ["model", "version"], registers: [registry], collect })
      : new Counter({ name, help, labelNames: ["model", "version"], registers: [registry], collect });
  };
  new Gauge({
    name: "modelrouter_executor_workers",
    help: "Worker threads of the executor's pool: configured, and started and able to take tasks (ready).",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const s = stats();
      this.set({ state: "configured" }, s.workers);
      this.set({ state: "ready" }, s.readyWorkers);
    },
  });
  new Counter({
    name: "modelrouter_executor_worker_restarts_total",
    help: "Worker threads that died and were replaced.",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(stats().workerRestarts);
    },
  });
  new Gauge({
    name: "modelrouter_executor_queue_capacity",
    help: "Tasks all queues of the executor hold together; a task arriving beyond is refused (RESOURCE_EXHAUSTED).",
    registers: [registry],
    collect() {
      this.set(stats().maxQueued);
    },
  });
  perModel("modelrouter_executor_queue_depth", "Tasks waiting for a worker, by model version.", (m) => m.queued, "gauge");
  perModel("modelrouter_executor_in_flight", "Tasks running in a worker, by model version.", (m) => m.inFlight, "gauge");
  perModel("modelrouter_executor_inference_seconds_total", "Time the completed tasks spent in the model, by model version.", (m) => m.inferenceMsSum / 1000, "counter");
  perModel("modelrouter_executor_queue_seconds_total", "Time the completed tasks waited for a worker, by model version.", (m) => m.queueMsSum / 1000, "counter");
  new Counter({
    name: "modelrouter_executor_tasks_total",
    help: "Tasks by model version and outcome: completed, failed, rejected (queue full), expired (deadline passed), cancelled.",
    labelNames: ["model", "version", "outcome"],
    registers: [registry],
    collect() {
      this.reset();
      for (const m of stats().models) for (const outcome of TASK_OUTCOMES) if (m[outcome] > 0) this.inc({ model: m.model, version: m.version, outcome }, m[outcome]);
    },
  });
  new Counter({
    name: "modelrouter_executor_batches_total",
    help: "Model runs by model version and batch size (the tasks one run answered).",
    labelNames: ["model", "version", "size"],
    registers: [registry],
    collect() {
      this.reset();
      for (const m of stats().models) for (const [size, runs] of Object.entries(m.batchSizes)) if (runs > 0) this.inc({ model: m.model, version: m.version, size }, runs);
    },
  });
}
