import type { ExecutorService } from "@modelrouter/contracts";
import type { RpcError, ServiceClient } from "@modelrouter/rpc-kit";
import { createInstanceBreaker, type BreakerSettings, type InstanceBreaker } from "./instance-breaker.js";
import { createInstanceLoad, type InstanceLoad, type ModelNamed } from "./instance-load.js";

/** One executor the router can run a model on: its name (its address; "" in-process) and a client of its own. */
export interface ExecutorInstance {
  readonly name: string;
  readonly client: ServiceClient<typeof ExecutorService>;
}

/**
 * The executors the router knows now, its calls in flight on each and their circuit breakers. Every executor
 * follows the registry and loads every ACTIVE model, so every executor is an instance of every model version.
 */
export interface ExecutorInstances {
  /** The instances known now (a discovered set changes between calls). */
  list(): readonly ExecutorInstance[];
  readonly load: InstanceLoad;
  readonly breaker: InstanceBreaker;
}

/** One executor, for example the one hosted in the router's own process (instance name ""). */
export function singleExecutor(client: ServiceClient<typeof ExecutorService>, name = "", breaker?: BreakerSettings): ExecutorInstances {
  const instances = [{ name, client }];
  return { list: () => instances, load: createInstanceLoad(), breaker: createInstanceBreaker(() => [name], breaker) };
}

/**
 * Counts an attempt of `model` on `instance` in the instances' load (unless `model` is null: a shadow, which
 * real requests do not balance on) and in its breaker, until the returned function is called with the attempt's
 * error (undefined: it succeeded).
 */
export function beginAttempt(
  executors: ExecutorInstances,
  instance: string,
  model: ModelNamed | undefined | null,
  now: () => number,
): (error: RpcError | undefined) => void {
  const endLoad = model === null ? () => undefined : executors.load.begin(instance, model);
  const attempt = executors.breaker.begin(instance, now());
  return (error) => {
    endLoad();
    attempt.end(error, now());
  };
}
