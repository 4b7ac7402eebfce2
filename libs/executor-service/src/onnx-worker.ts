/**
 * The entry of an ONNX worker thread (compiled to `dist/onnx-worker.js`): it runs the tasks the pool sends,
 * one batch at a time, reports each model run, and answers each task with its outputs or a serialised domain
 * error. It loads a model's session ahead of its first task when asked (preload), unloads a model's sessions
 * when asked, and sessions left idle for `sessionIdleMs`.
 *
 * @packageDocumentation
 */
import { parentPort, workerData } from "node:worker_threads";
import { type BatchOutcome, createWorkerRuntime } from "./worker-runtime.js";
import { type PoolMessage, type WorkerMessage, type WorkerSettings, serializeError } from "./worker-protocol.js";

const port = parentPort;
if (port === null) throw new Error("onnx-worker.js runs in a worker thread started by createWorkerPool");
const settings = workerData as WorkerSettings;
const runtime = createWorkerRuntime(settings);
let queue: Promise<void> = Promise.resolve();
const post = (message: WorkerMessage): void => port.postMessage(message);

/** Runs `work` after everything before it, so that no session is released while a run uses it. */
const enqueue = (work: () => Promise<void> | void): void => {
  queue = queue.then(work).catch(() => undefined);
};

port.on("message", (message: PoolMessage) => {
  if (message.type === "unload") {
    enqueue(() => {
      if (runtime.unload(message.model, message.version) > 0) post({ type: "cached", cachedKeys: runtime.cachedKeys() });
    });
    return;
  }
  if (message.type === "preload") {
    enqueue(async () => {
      try {
        await runtime.preload(message.model);
        post({ type: "preloaded", id: message.id, cachedKeys: runtime.cachedKeys() });
      } catch (error) {
        post({ type: "preloaded", id: message.id, error: serializeError(error), cachedKeys: runtime.cachedKeys() });
      }
    });
    return;
  }
  const items = message.type === "run" ? [message] : message.items;
  enqueue(async () => {
    let outcome: BatchOutcome;
    try {
      outcome = await runtime.runBatch(items);
    } catch (error) {
      outcome = { key: "", batchable: false, runs: [], items: items.map((item) => ({ id: item.id, error })) };
    }
    for (const run of outcome.runs) post({ type: "ran", key: outcome.key, batchSize: run.batchSize, batchable: outcome.batchable });
    const cachedKeys = runtime.cachedKeys();
    for (const item of outcome.items) {
      post(
        "result" in item
          ? { type: "done", id: item.id, ...item.result, cachedKeys }
          : { type: "failed", id: item.id, error: serializeError(item.error), cachedKeys },
      );
    }
  });
});

if (Number.isFinite(settings.sessionIdleMs)) {
  const sweep = setInterval(
    () =>
      enqueue(() => {
        if (runtime.evictIdle() > 0) post({ type: "cached", cachedKeys: runtime.cachedKeys() });
      }),
    Math.max(100, Math.min(60_000, settings.sessionIdleMs / 2)),
  );
  sweep.unref();
}
post({ type: "ready" });
