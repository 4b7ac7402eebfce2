import { parentPort } from "node:worker_threads";
import { loadBenchModel } from "./bench-model.js";
import { createModelRunner } from "./model-runner.js";
import type { PoolReply, PoolTask } from "./model-pool-protocol.js";

/**
 * A worker thread of the bare model server's pool: opens its own ONNX Runtime session on the benchmark model,
 * says so, then classifies each PNG it is posted and posts the ranked scores back.
 */
const port = parentPort;
if (port === null) throw new Error("model-worker.js runs as a worker thread");
const runner = await createModelRunner(loadBenchModel());
port.on("message", (task: PoolTask) => {
  void runner.classify(task.png).then(
    (labels) => port.postMessage({ id: task.id, labels } satisfies PoolReply),
    (error: unknown) => port.postMessage({ id: task.id, error: error instanceof Error ? error.message : String(error) } satisfies PoolReply),
  );
});
port.postMessage({ ready: true } satisfies PoolReply);
