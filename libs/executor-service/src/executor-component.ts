import { availableParallelism } from "node:os";
import { isAbsolute, resolve } from "node:path";
import type { EnvReader } from "@modelrouter/config";
import { ExecutorService } from "@modelrouter/contracts";
import type { Component } from "@modelrouter/host";
import type { ServiceImpl } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import { createExecutorService } from "./executor-service.js";
import { DEFAULT_MAX_MODEL_BYTES } from "./model-file.js";
import { createWorkerPool, type WorkerPool } from "./worker-pool.js";

/** The executor's settings. */
export interface ExecutorConfig {
  /** Where model uris are resolved: every model file must be under it, symbolic links followed. */
  readonly modelRoot: string;
  /** The most bytes a model file may have. */
  readonly maxModelBytes: number;
  readonly workers: number;
  readonly maxQueued: number;
}

/**
 * Reads `MODELROUTER_MODEL_ROOT` (default `defaultModelRoot`; relative paths are taken from `cwd`),
 * `MODELROUTER_MODEL_MAX_BYTES` (default 256 MiB, at most 2 GiB: ONNX Runtime's limit for one model),
 * `MODELROUTER_EXECUTOR_WORKERS` (default: one per CPU) and `MODELROUTER_EXECUTOR_MAX_QUEUE` (default 256).
 */
export function readExecutorConfig(env: EnvReader, cwd: string, defaultModelRoot: string): ExecutorConfig {
  const root = env.string("MODELROUTER_MODEL_ROOT", defaultModelRoot);
  return {
    modelRoot: isAbsolute(root) ? root : resolve(cwd, root),
    maxModelBytes: env.int("MODELROUTER_MODEL_MAX_BYTES", DEFAULT_MAX_MODEL_BYTES, { min: 1, max: 2 ** 31 - 1 }),
    workers: env.int("MODELROUTER_EXECUTOR_WORKERS", Math.max(1, availableParallelism()), { min: 1, max: 256 }),
    maxQueued: env.int("MODELROUTER_EXECUTOR_MAX_QUEUE", 256, { min: 0, max: 1_000_000 }),
  };
}

/** A running executor: its handlers, its pool (for load statistics), and how to stop the workers. */
export interface ExecutorComponent extends Component<typeof ExecutorService> {
  readonly impl: ServiceImpl<typeof ExecutorService>;
  readonly pool: WorkerPool;
  /** Resolves once every worker thread has loaded ONNX Runtime. */
  readonly ready: Promise<void>;
  readonly close: () => Promise<void>;
}

/** Starts the worker pool and creates the executor service on it. */
export function startExecutor(config: ExecutorConfig, logger: Logger): ExecutorComponent {
  const pool = createWorkerPool({
    modelRoot: config.modelRoot,
    maxModelBytes: config.maxModelBytes,
    size: config.workers,
    maxQueued: config.maxQueued,
    logger,
  });
  logger.info("worker pool starting", {
    workers: pool.size,
    modelRoot: config.modelRoot,
    maxModelBytes: config.maxModelBytes,
    maxQueued: config.maxQueued,
  });
  return { service: ExecutorService, impl: createExecutorService({ pool, logger }), pool, ready: pool.ready(), close: () => pool.close() };
}
