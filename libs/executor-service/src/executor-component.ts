import { availableParallelism } from "node:os";
import { isAbsolute, resolve } from "node:path";
import type { EnvReader } from "@modelrouter/config";
import { ExecutorService, type RegistryService } from "@modelrouter/contracts";
import type { Component } from "@modelrouter/host";
import type { ServiceClient, ServiceImpl } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import { createExecutorService } from "./executor-service.js";
import { DEFAULT_MAX_MODEL_BYTES } from "./model-file.js";
import { followModelLifecycle, type ModelLifecycleOptions } from "./model-lifecycle.js";
import { type OipComponent, startOipServing } from "./oip-server/oip-component.js";
import type { OipModelCatalogue } from "./oip-server/oip-models.js";
import { DEFAULT_EGRESS_POLICY, type EgressPolicy, readEgressPolicy } from "@modelrouter/egress";
import { type EndpointAccess, egressEndpointAccess } from "./oip-client/endpoint-access.js";
import { createRemoteModels, type RemoteModels } from "./oip-client/remote-models.js";
import { type ChatModels, createChatModels } from "./openai-client/chat-models.js";
import { createWorkerPool, type WorkerPool } from "./worker-pool.js";

/** The executor's settings. */
export interface ExecutorConfig {
  /** Where model uris are resolved: every model file must be under it, symbolic links followed. */
  readonly modelRoot: string;
  /** The most bytes a model file may have. */
  readonly maxModelBytes: number;
  readonly workers: number;
  /** Tasks waiting for a worker, all models together. */
  readonly maxQueued: number;
  /** Tasks of one model waiting for a worker. */
  readonly maxQueuedPerModel: number;
  /** The most tasks of a batchable model run together; 1: batching off. */
  readonly maxBatchSize: number;
  /** How long a batch waits to fill up, in milliseconds. */
  readonly maxBatchDelayMs: number;
  /** Tasks of models proven cheaper than this run on the serving thread while the pool is idle (0: never). */
  readonly inlineBelowMs: number;
  /** A model unused this long is unloaded from the workers, in milliseconds; `Infinity`: never. */
  readonly sessionIdleMs: number;
  /** How often each OIP or OpenAI-compatible endpoint's readiness is checked, in milliseconds (default 5 s); 0: never. */
  readonly remoteHealthIntervalMs?: number;
  /** Where OIP and OpenAI-compatible endpoints may be reached (`MODELROUTER_EGRESS_*`); default: `DEFAULT_EGRESS_POLICY`. */
  readonly egress?: EgressPolicy;
}

/** The longest batch delay accepted: a batch that waits longer costs more latency than it saves. */
const MAX_BATCH_DELAY_MS = 1_000;

/**
 * Reads `MODELROUTER_MODEL_ROOT` (default `defaultModelRoot`; relative paths are taken from `cwd`),
 * `MODELROUTER_MODEL_MAX_BYTES` (default 256 MiB, at most 2 GiB: ONNX Runtime's limit for one model),
 * `MODELROUTER_EXECUTOR_WORKERS` (default: one per CPU), `MODELROUTER_EXECUTOR_MAX_QUEUE` (default 256),
 * `MODELROUTER_EXECUTOR_MAX_QUEUE_PER_MODEL` (default 128: half the total, so that one model cannot fill it),
 * `MODELROUTER_EXECUTOR_MAX_BATCH_SIZE` (default 1: off; at most 1024), `MODELROUTER_EXECUTOR_MAX_BATCH_DELAY`
 * (default 2ms, at most 1s), `MODELROUTER_EXECUTOR_INLINE_BELOW_US` (default 300: models proven to run in
 * under 0.3 ms run on the serving thread while the pool is idle; 0: always in a worker), `MODELROUTER_EXECUTOR_SESSION_IDLE` (default 30m; 0: never unload idle models) and
 * `MODELROUTER_EXECUTOR_REMOTE_HEALTH_INTERVAL` (default 5s; 0: no background readiness checks of OIP and
 * OpenAI-compatible endpoints), and the egress policy of those endpoints (`MODELROUTER_EGRESS_*`), unless the caller read it already (`egress`).
 */
export function readExecutorConfig(
  env: EnvReader,
  cwd: string,
  defaultModelRoot: string,
  egress: EgressPolicy = readEgressPolicy(env),
): ExecutorConfig {
  const root = env.string("MODELROUTER_MODEL_ROOT", defaultModelRoot);
  let batchDelay = env.durationMs("MODELROUTER_EXECUTOR_MAX_BATCH_DELAY", 2);
  if (batchDelay > MAX_BATCH_DELAY_MS) {
    env.problem(`MODELROUTER_EXECUTOR_MAX_BATCH_DELAY: ${batchDelay} ms is too long; expected at most 1s, such as 2ms`);
    batchDelay = 2;
  }
  const idle = env.durationMs("MODELROUTER_EXECUTOR_SESSION_IDLE", 30 * 60_000);
  return {
    modelRoot: isAbsolute(root) ? root : resolve(cwd, root),
    maxModelBytes: env.int("MODELROUTER_MODEL_MAX_BYTES", DEFAULT_MAX_MODEL_BYTES, { min: 1, max: 2 ** 31 - 1 }),
    workers: env.int("MODELROUTER_EXECUTOR_WORKERS", Math.max(1, availableParallelism()), { min: 1, max: 256 }),
    maxQueued: env.int("MODELROUTER_EXECUTOR_MAX_QUEUE", 256, { min: 0, max: 1_000_000 }),
    maxQueuedPerModel: env.int("MODELROUTER_EXECUTOR_MAX_QUEUE_PER_MODEL", 128, { min: 0, max: 1_000_000 }),
    maxBatchSize: env.int("MODELROUTER_EXECUTOR_MAX_BATCH_SIZE", 1, { min: 1, max: 1024 }),
    maxBatchDelayMs: batchDelay,
    inlineBelowMs: env.int("MODELROUTER_EXECUTOR_INLINE_BELOW_US", 1000, { min: 0, max: 1_000_000 }) / 1000,
    sessionIdleMs: idle === 0 ? Number.POSITIVE_INFINITY : idle,
    remoteHealthIntervalMs: env.durationMs("MODELROUTER_EXECUTOR_REMOTE_HEALTH_INTERVAL", 5_000),
    egress,
  };
}

/** Options of {@link startExecutor}. */
export interface StartExecutorOptions {
  /**
   * The registry to follow: its ACTIVE ONNX versions are preloaded as they are registered and its
   * deregistered, retired or replaced ones unloaded. Absent: models load on first use and unload when idle only.
   */
  readonly registry?: ServiceClient<typeof RegistryService>;
  /** Reconnection and deadline settings of the registry watch (tests shorten them). */
  readonly watch?: Pick<ModelLifecycleOptions, "retryDelayMs" | "maxRetryDelayMs" | "watchTimeoutMs">;
  /** The worker entry module (see `WorkerPoolOptions.workerUrl`); tests running TypeScript sources pass the built one. */
  readonly workerUrl?: URL;
  /**
   * What OIP and OpenAI-compatible endpoints the executor may reach and their credentials; absent: the config's egress policy, credentials
   * from the environment or files (`egressEndpointAccess`).
   */
  readonly endpointAccess?: EndpointAccess;
  /** The models served over the Open Inference Protocol without a registry (with one: its ACTIVE ONNX versions). */
  readonly oipModels?: OipModelCatalogue;
}

/** A running executor: its handlers, its pool (for load statistics), and how to stop the workers. */
export interface ExecutorComponent extends Component<typeof ExecutorService> {
  readonly impl: ServiceImpl<typeof ExecutorService>;
  readonly pool: WorkerPool;
  /** The models served by OIP servers. */
  readonly remote: RemoteModels;
  /** The chat models served by OpenAI-compatible servers. */
  readonly chat: ChatModels;
  /** Resolves once every worker thread has loaded ONNX Runtime. */
  readonly ready: Promise<void>;
  /**
   * The same models served over the Open Inference Protocol v2 (`inference.GRPCInferenceService`, to serve
   * next to ExecutorService, and REST with `oip.serveHttp`); the executor's `close` closes it too.
   */
  readonly oip: OipComponent;
  /** Closes `oip`, stops following the registry, then stops the workers. */
  readonly close: () => Promise<void>;
}

/** Starts the worker pool, creates the executor service on it and, given a registry, follows its models. */
export function startExecutor(config: ExecutorConfig, logger: Logger, options: StartExecutorOptions = {}): ExecutorComponent {
  const pool = createWorkerPool({
    modelRoot: config.modelRoot,
    maxModelBytes: config.maxModelBytes,
    size: config.workers,
    maxQueued: config.maxQueued,
    maxQueuedPerModel: config.maxQueuedPerModel,
    maxBatchSize: config.maxBatchSize,
    maxBatchDelayMs: config.maxBatchDelayMs,
    inlineBelowMs: config.inlineBelowMs,
    sessionIdleMs: config.sessionIdleMs,
    logger,
    ...(options.workerUrl === undefined ? {} : { workerUrl: options.workerUrl }),
  });
  logger.info("worker pool starting", {
    workers: pool.size,
    modelRoot: config.modelRoot,
    maxModelBytes: config.maxModelBytes,
    maxQueued: config.maxQueued,
    maxQueuedPerModel: config.maxQueuedPerModel,
    maxBatchSize: config.maxBatchSize,
    maxBatchDelayMs: config.maxBatchDelayMs,
    sessionIdleMs: Number.isFinite(config.sessionIdleMs) ? config.sessionIdleMs : "never",
    followsRegistry: options.registry !== undefined,
  });
  const access = options.endpointAccess ?? egressEndpointAccess(config.egress ?? DEFAULT_EGRESS_POLICY);
  const healthIntervalMs = config.remoteHealthIntervalMs ?? 5_000;
  const remote = createRemoteModels({ access, healthIntervalMs, logger: logger.child({ component: "oip-client" }) });
  const chat = createChatModels({ access, healthIntervalMs, logger: logger.child({ component: "openai-client" }) });
  const stop = new AbortController();
  const following =
    options.registry === undefined
      ? Promise.resolve()
      : followModelLifecycle({ registry: options.registry, pool, remote, chat, logger, signal: stop.signal, ...options.watch });
  const ready = pool.ready();
  const oip = startOipServing({
    pool,
    files: { root: config.modelRoot, maxBytes: config.maxModelBytes },
    ready,
    logger,
    ...(options.registry === undefined ? {} : { registry: options.registry }),
    ...(options.oipModels === undefined ? {} : { models: options.oipModels }),
    ...(options.watch === undefined ? {} : { watch: options.watch }),
  });
  return {
    service: ExecutorService,
    // ExecuteStream streams one answer each: a drain lets them finish, like Execute calls.
    streams: "answer",
    impl: createExecutorService({ pool, remote, chat, logger }),
    pool,
    remote,
    chat,
    oip,
    ready,
    close: async () => {
      await oip.close();
      stop.abort();
      await following;
      remote.close();
      chat.close();
      await pool.close();
    },
  };
}
