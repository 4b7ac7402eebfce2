/**
 * The entry of an ONNX worker thread (compiled to `dist/onnx-worker.js`): it runs the tasks the pool sends,
 * one at a time, and answers each with its outputs or a serialised domain error.
 *
 * @packageDocumentation
 */
import { parentPort, workerData } from "node:worker_threads";
import { createWorkerRuntime } from "./worker-runtime.js";
import { type RunMessage, type WorkerMessage, type WorkerSettings, serializeError } from "./worker-protocol.js";

const port = parentPort;
if (port === null) throw new Error("onnx-worker.js runs in a worker thread started by createWorkerPool");
const runtime = createWorkerRuntime(workerData as WorkerSettings);
let queue: Promise<void> = Promise.resolve();

port.on("message", (message: RunMessage) => {
  queue = queue.then(async () => {
    let reply: WorkerMessage;
    try {
      const result = await runtime.run(message);
      reply = { type: "done", id: message.id, ...result, cachedKeys: runtime.cachedKeys() };
    } catch (error) {
      reply = { type: "failed", id: message.id, error: serializeError(error), cachedKeys: runtime.cachedKeys() };
    }
    port.postMessage(reply);
  });
});
port.postMessage({ type: "ready" } satisfies WorkerMessage);
