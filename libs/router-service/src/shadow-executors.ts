import { DomainError, ErrorReason } from "@modelrouter/errors";
import { toRpcError } from "@modelrouter/rpc-kit";
import { beginAttempt, type ExecutorInstances } from "./executor-instances.js";
import type { ShadowExecute } from "./shadow-runner.js";

/**
 * Runs shadows on the router's executors: each on an instance drawn at random among those the breaker admits (any,
 * when it admits none), its outcome counted by the breaker but never in the instances' load that routes real
 * requests (a shadow is not worth a load comparison; the executor sheds it when busy).
 */
export function shadowExecuteOn(executors: ExecutorInstances, random: () => number, now: () => number = Date.now): ShadowExecute {
  return async (request, options) => {
    const list = executors.list();
    const admitted = list.filter((instance) => executors.breaker.admits(instance.name, now()));
    const pool = admitted.length > 0 ? admitted : list;
    const instance = pool[Math.min(pool.length - 1, Math.floor(random() * pool.length))];
    if (instance === undefined) {
      throw new DomainError(ErrorReason.MODEL_UNAVAILABLE, "no executor instance is known to run the shadow on");
    }
    const end = beginAttempt(executors, instance.name, null, now);
    try {
      const response = await instance.client.execute(request, options);
      end(undefined);
      return response;
    } catch (error) {
      end(toRpcError(error));
      throw error;
    }
  };
}
