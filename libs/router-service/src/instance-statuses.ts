import { create } from "@bufbuild/protobuf";
import { InstanceHealth, InstanceStatusSchema, type InstanceStatus } from "@modelrouter/contracts";
import type { ExecutorInstances } from "./executor-instances.js";
import type { BreakerState } from "./instance-breaker.js";

const HEALTH: Record<BreakerState, InstanceHealth> = {
  healthy: InstanceHealth.HEALTHY,
  ejected: InstanceHealth.EJECTED,
  probing: InstanceHealth.PROBING,
};

/** Every instance known now, with its breaker's state and reason and this router's calls in flight on it, for Explain. */
export function instanceStatuses(executors: ExecutorInstances, at: number): InstanceStatus[] {
  return executors.list().map(({ name }) => {
    const { state, reason } = executors.breaker.condition(name, at);
    return create(InstanceStatusSchema, { instance: name, health: HEALTH[state], inFlight: executors.load.ofInstance(name), reason });
  });
}
