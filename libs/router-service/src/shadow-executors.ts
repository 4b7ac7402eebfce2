import { DomainError, ErrorReason } from "@modelrouter/errors";
import type { ExecutorInstances } from "./executor-instances.js";
import type { ShadowExecute } from "./shadow-runner.js";

/**
 * Runs shadows on the router's executors: each on an instance drawn at random (a shadow is not worth a load
 * comparison; the executor sheds it when busy), never counted in the instances' load that routes real requests.
 */
export function shadowExecuteOn(executors: ExecutorInstances, random: () => number): ShadowExecute {
  return (request, options) => {
    const list = executors.list();
    const instance = list[Math.min(list.length - 1, Math.floor(random() * list.length))];
    if (instance === undefined) {
      return Promise.reject(new DomainError(ErrorReason.MODEL_UNAVAILABLE, "no executor instance is known to run the shadow on"));
    }
    return instance.client.execute(request, options);
  };
}
