import type { ExecutorService } from "@modelrouter/contracts";
import { Code, RpcError, type ServiceClient } from "@modelrouter/rpc-kit";
import { chooseInstance } from "./instance-choice.js";
import { createInstanceHealth, type InstanceHealth } from "./instance-health.js";
import { createInstanceLoad, type InstanceLoad } from "./instance-load.js";

/** One executor the router can run a model on: its name (its address; "" in-process) and a client of its own. */
export interface ExecutorInstance {
  readonly name: string;
  readonly client: ServiceClient<typeof ExecutorService>;
}

/**
 * The executors the router knows now and its calls in flight on each. Every executor follows the registry and
 * loads every ACTIVE model, so every executor is an instance of every model version.
 */
export interface ExecutorInstances {
  /** The instances known now (a discovered set changes between calls). */
  list(): readonly ExecutorInstance[];
  readonly load: InstanceLoad;
  readonly health: InstanceHealth;
}

/** One executor, for example the one hosted in the router's own process (instance name ""). */
export function singleExecutor(client: ServiceClient<typeof ExecutorService>, name = ""): ExecutorInstances {
  const instances = [{ name, client }];
  return { list: () => instances, load: createInstanceLoad(), health: createInstanceHealth() };
}

/**
 * A client that runs each call on the less loaded of two instances drawn at random (no retry), counting the call
 * in the instances' load: for calls that need no choice of their own, such as a shadow's.
 */
export function balancedExecutorClient(
  executors: ExecutorInstances,
  random: () => number = Math.random,
  now: () => number = Date.now,
): ServiceClient<typeof ExecutorService> {
  return {
    async execute(request, options) {
      const instance = chooseInstance(executors.list(), executors, { triedForModel: new Set(), failed: new Set() }, random, now());
      if (instance === undefined) {
        throw new RpcError({ code: Code.UNAVAILABLE, message: "no executor instance is known (none configured, or none resolved yet)" });
      }
      const end = executors.load.begin(instance.name, request.model);
      try {
        return await instance.client.execute(request, options);
      } finally {
        end();
      }
    },
  };
}
