import { Worker } from "node:worker_threads";
import type { ModelSource, PoolMessage, RunBatchMessage, RunMessage, WorkerMessage, WorkerSettings } from "./worker-protocol.js";

/** What a {@link WorkerSlot} reports to its pool. */
export interface WorkerSlotEvents {
  /** The worker has started and takes tasks. */
  onReady(slot: WorkerSlot): void;
  /** The worker answered a task, reported a model run, or changed the models it has loaded. */
  onMessage(slot: WorkerSlot, message: Exclude<WorkerMessage, { type: "ready" }>): void;
  /** The worker stopped without being asked to: it crashed, ran out of memory or exited. */
  onExit(slot: WorkerSlot, code: number, error: Error | undefined): void;
}

/**
 * One worker thread of the pool and what the pool knows of it: whether it has started, the tasks it runs (one
 * batch at a time) and the models it has loaded (as it last reported), so that a task can go to a worker that
 * already has its model.
 */
export class WorkerSlot {
  readonly #worker: Worker;
  readonly #threadId: number;
  #ready = false;
  #started = false;
  #stopping = false;
  #error: Error | undefined;
  /** The ids of the tasks of the batch running in this worker (empty when idle). */
  readonly runningIds = new Set<number>();
  /** The model keys this worker reported loaded last. */
  cachedKeys: ReadonlySet<string> = new Set();

  constructor(url: URL, settings: WorkerSettings, events: WorkerSlotEvents) {
    this.#worker = new Worker(url, { workerData: settings });
    this.#threadId = this.#worker.threadId;
    this.#worker.on("message", (message: WorkerMessage) => {
      if (message.type === "ready") {
        this.#ready = true;
        this.#started = true;
        events.onReady(this);
      } else {
        if ("cachedKeys" in message) this.cachedKeys = new Set(message.cachedKeys);
        events.onMessage(this, message);
      }
    });
    this.#worker.on("error", (error) => {
      this.#error = error;
    });
    this.#worker.on("exit", (code) => {
      this.#ready = false;
      if (!this.#stopping) events.onExit(this, code, this.#error);
    });
  }

  /** True once the worker has started and until it stops. */
  get ready(): boolean {
    return this.#ready && !this.#stopping;
  }

  /** True once the worker has reported that it started, even if it has stopped since. */
  get started(): boolean {
    return this.#started;
  }

  /** True when the worker has started and runs no task. */
  get idle(): boolean {
    return this.ready && this.runningIds.size === 0;
  }

  /** The worker's thread id (for logs). */
  get threadId(): number {
    return this.#threadId;
  }

  /** Hands the worker a task, or a batch of tasks of one model. */
  run(message: RunMessage | RunBatchMessage): void {
    for (const item of message.type === "run" ? [message] : message.items) this.runningIds.add(item.id);
    this.#worker.postMessage(message satisfies PoolMessage);
  }

  /**
   * Asks the worker to unload a model version's sessions (after the task it runs, if any), and forgets them
   * at once, so that no task or preload counts on them meanwhile.
   */
  unload(model: string, version: string): void {
    const prefix = `${model}@${version}|`;
    this.cachedKeys = new Set([...this.cachedKeys].filter((key) => !key.startsWith(prefix)));
    if (this.ready) this.#worker.postMessage({ type: "unload", model, version } satisfies PoolMessage);
  }

  /** Asks the worker to load a model's session (after the task it runs, if any); it answers `preloaded` with `id`. */
  preload(id: number, model: ModelSource): void {
    this.#worker.postMessage({ type: "preload", id, model } satisfies PoolMessage);
  }

  /** Stops the worker; no event is reported for it afterwards. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#worker.terminate();
  }
}
