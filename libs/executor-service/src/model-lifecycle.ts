import type { RegistryService } from "@modelrouter/contracts";
import { runWatchLoop, type ServiceClient } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import { modelSource } from "./inference-plan.js";
import { type LifecycleAction, ModelLifecyclePlan } from "./model-lifecycle-plan.js";
import type { RemoteModels } from "./oip-client/remote-models.js";
import type { ChatModels } from "./openai-client/chat-models.js";
import type { WorkerPool } from "./worker-pool.js";

/** Options of {@link followModelLifecycle}. */
export interface ModelLifecycleOptions {
  /** The registry whose model versions the executor follows. */
  readonly registry: ServiceClient<typeof RegistryService>;
  /** The pool whose sessions are loaded and unloaded. */
  readonly pool: Pick<WorkerPool, "modelRoot" | "preload" | "unload">;
  /** The remote (OIP) models, connected and load-checked as they become ACTIVE; absent: on first use only. */
  readonly remote?: Pick<RemoteModels, "load" | "unload">;
  /** The chat (OpenAI-compatible) models, checked as they become ACTIVE; absent: on first use only. */
  readonly chat?: Pick<ChatModels, "load" | "unload">;
  readonly logger: Logger;
  /** Stops following. */
  readonly signal: AbortSignal;
  /** The first delay before reconnecting after a failure, in milliseconds (default 100); it doubles up to `maxRetryDelayMs`. */
  readonly retryDelayMs?: number;
  /** The longest delay between reconnection attempts, in milliseconds (default 5,000). */
  readonly maxRetryDelayMs?: number;
  /** The deadline of one watch call, in milliseconds (default 10 minutes); the stream is then resumed. */
  readonly watchTimeoutMs?: number;
}

/**
 * Follows `registry.watchModels` until `signal` aborts and keeps the pool's sessions in step with the
 * registry (see {@link ModelLifecyclePlan}): deregistered, retired and replaced versions are unloaded, and
 * ACTIVE ONNX versions are preloaded in one worker as they are registered (ACTIVE OIP versions connected, ACTIVE
 * chat versions checked against their server's model list), so that their first task does not
 * wait for the load. A preload that fails (a missing file, a wrong checksum, a uri outside the model root) is
 * logged at warn and changes nothing: the version's tasks fail as they would have. A broken stream is reopened
 * from the last revision seen, so no change is missed. Resolves once stopped; never rejects.
 */
export function followModelLifecycle(options: ModelLifecycleOptions): Promise<void> {
  const { pool, registry } = options;
  const logger = options.logger.child({ component: "model-lifecycle" });
  const watchTimeoutMs = options.watchTimeoutMs ?? 10 * 60_000;
  const retryDelayMs = options.retryDelayMs ?? 100;
  const plan = new ModelLifecyclePlan();

  const preload = async (action: Extract<LifecycleAction, { kind: "preload" }>): Promise<void> => {
    const ref = { model: action.name, version: action.version };
    try {
      const started = Date.now();
      await pool.preload(modelSource(action.name, action.version, action.onnx, pool.modelRoot));
      logger.info("model preloaded", { ...ref, loadMs: Date.now() - started });
    } catch (error) {
      if (options.signal.aborted) return;
      logger.warn("could not preload a registered model; it will be loaded on first use", {
        ...ref,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };

  /**
   * Checks a remote version as it becomes ACTIVE (`load` says why it is not servable, and logs it); a server that
   * does not answer is logged, and the version is checked again on first use.
   */
  const checkRemote = async (ref: { model: string; version: string }, what: string, load: ((call: { deadline: number; signal: AbortSignal }) => Promise<string | undefined>) | undefined): Promise<void> => {
    if (load === undefined) return;
    try {
      const problem = await load({ deadline: Date.now() + 10_000, signal: options.signal });
      if (problem === undefined) logger.info(`${what} checked`, ref);
    } catch (error) {
      if (options.signal.aborted) return;
      logger.warn(`could not reach a registered ${what}'s endpoints; it will be checked on first use`, {
        ...ref,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };

  const act = (action: LifecycleAction): void => {
    const ref = { model: action.name, version: action.version };
    const { remote, chat } = options;
    if (action.kind === "connect") void checkRemote(ref, "OIP model", remote && ((call) => remote.load(action.name, action.version, action.oip, call)));
    else if (action.kind === "check-chat") void checkRemote(ref, "chat model", chat && ((call) => chat.load(action.name, action.version, action.openai, call)));
    else if (action.kind === "unload") {
      pool.unload(action.name, action.version);
      options.remote?.unload(action.name, action.version);
      options.chat?.unload(action.name, action.version);
      logger.info("model unloaded", { model: action.name, version: action.version, reason: action.reason });
    } else void preload(action);
  };

  return runWatchLoop({
    name: "models",
    open: (sinceRevision, signal) => registry.watchModels({ sinceRevision }, { signal, timeoutMs: watchTimeoutMs }),
    apply: (message) => plan.apply(message).forEach(act),
    logger,
    signal: options.signal,
    streamTimeoutMs: watchTimeoutMs,
    retryDelayMs,
    maxRetryDelayMs: Math.max(retryDelayMs, options.maxRetryDelayMs ?? 5000),
  });
}
