import { pickOfTwoChoices } from "@modelrouter/policy";
import type { ExecutorInstance } from "./executor-instances.js";
import type { InstanceBreaker } from "./instance-breaker.js";
import type { InstanceLoad } from "./instance-load.js";

/** What a request has learnt of the instances so far, for {@link chooseInstance}. */
export interface InstanceHistory {
  /** Instances that already ran (or failed) the current model version: never tried again for it. */
  readonly triedForModel: ReadonlySet<string>;
  /** Instances that failed in this request with any model: chosen only when no other is left. */
  readonly failed: ReadonlySet<string>;
}

/** What the router knows of every instance, for {@link chooseInstance}. */
export interface InstanceState {
  readonly load: InstanceLoad;
  readonly breaker: InstanceBreaker;
}

/**
 * The instance to run the next attempt on: the less loaded of two drawn at random (the power of two choices, by
 * this router's calls in flight) among the instances that have not yet tried this model version and that the
 * breaker admits (HEALTHY, or PROBING with a probe free; see {@link InstanceBreaker}), preferring those that did
 * not fail in this request (a failure may have been another model's). When the breaker admits none of them —
 * every one ejected — it chooses among them all anyway (panic mode: a request is never refused for want of a
 * healthy instance). Undefined when every instance has tried this model version.
 */
export function chooseInstance(
  instances: readonly ExecutorInstance[],
  state: InstanceState,
  history: InstanceHistory,
  random: () => number,
  at: number,
): ExecutorInstance | undefined {
  const untried = instances.filter((instance) => !history.triedForModel.has(instance.name));
  const admitted = untried.filter((instance) => state.breaker.admits(instance.name, at));
  const candidates = admitted.length > 0 ? admitted : untried;
  const unfailed = candidates.filter((instance) => !history.failed.has(instance.name));
  const pool = unfailed.length > 0 ? unfailed : candidates;
  const index = pickOfTwoChoices(pool.length, (i) => state.load.ofInstance(pool[i]?.name ?? ""), random);
  return index === undefined ? undefined : pool[index];
}
