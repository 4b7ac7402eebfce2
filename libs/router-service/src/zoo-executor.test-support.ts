import { createExecutorService, createWorkerPool, type WorkerPool } from "@modelrouter/executor-service/testing";
import { modelZooDir } from "@modelrouter/model-zoo";
import type { ServiceImpl } from "@modelrouter/rpc-kit";
import type { ExecutorService } from "@modelrouter/contracts";
import { createLogger } from "@modelrouter/telemetry";

/** A logger that writes nothing, for the services a spec runs in-process. */
export const quiet = createLogger({ service: "test", write: () => undefined });

/** A real executor over the model zoo (one ONNX worker), in-process: its pool (close it) and its handlers. */
export async function startZooExecutor(): Promise<{ readonly pool: WorkerPool; readonly impl: ServiceImpl<typeof ExecutorService> }> {
  const pool = createWorkerPool({
    modelRoot: modelZooDir(),
    size: 1,
    logger: quiet,
    workerUrl: new URL("../../executor-service/dist/onnx-worker.js", import.meta.url),
  });
  await pool.ready();
  return { pool, impl: createExecutorService({ pool, logger: quiet }) };
}
