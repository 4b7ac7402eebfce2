import type { DecisionRecord, ShadowResult } from "@modelrouter/contracts";
import { codeName } from "@modelrouter/rpc-kit";
import { Counter, Histogram, type Registry } from "prom-client";
import { RPC_DURATION_BUCKETS_SECONDS } from "./rpc-metrics.js";

/**
 * Takes each routed request's decision record (every one, before the decision log samples them) and its shadows'
 * results once they settle (the router's `observeDecision`).
 */
export type DecisionObserver = (decision: DecisionRecord, shadows?: Promise<readonly ShadowResult[]>) => void;

/**
 * The router's routing metrics, from each request's decision record:
 * - `modelrouter_routing_decisions_total` by `policy`, `rule` (empty for the default route), `model` (the one
 *   that answered, empty when none did), `outcome` (the request's status name, e.g. `OK`, `UNAVAILABLE`) and
 *   `fallback` (`true` when a fallback target answered);
 * - `modelrouter_routing_fallbacks_total` by `policy` and `model`: requests a fallback target served;
 * - `modelrouter_routing_duration_seconds` by `policy` and `model`: the whole request (analysis, decision,
 *   execution with its retries and fallbacks);
 * - `modelrouter_shadow_comparisons_total` by the shadow's `model` and `result` (`same_top_label`,
 *   `different_top_label` or `failed`).
 * Labels are names from the registry (policies, their rules, models), bounded by its quotas; never tenants,
 * users or request ids.
 */
export function createRoutingMetrics(registry: Registry): DecisionObserver {
  const decisions = new Counter({
    name: "modelrouter_routing_decisions_total",
    help: "Routed requests by policy, rule, answering model, outcome (status name) and whether a fallback answered.",
    labelNames: ["policy", "rule", "model", "outcome", "fallback"],
    registers: [registry],
  });
  const fallbacks = new Counter({
    name: "modelrouter_routing_fallbacks_total",
    help: "Requests a fallback target served, by policy and model.",
    labelNames: ["policy", "model"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "modelrouter_routing_duration_seconds",
    help: "Time to route and serve a request (analysis, decision, execution with retries and fallbacks), by policy and model.",
    labelNames: ["policy", "model"],
    buckets: [...RPC_DURATION_BUCKETS_SECONDS],
    registers: [registry],
  });
  const shadows = new Counter({
    name: "modelrouter_shadow_comparisons_total",
    help: "Shadow (mirrored) executions compared with the answer, by shadow model and result.",
    labelNames: ["model", "result"],
    registers: [registry],
  });
  const compared = (results: readonly ShadowResult[]): void => {
    for (const shadow of results) {
      const result = shadow.code !== 0 ? "failed" : shadow.sameTopLabel ? "same_top_label" : "different_top_label";
      shadows.inc({ model: shadow.model?.name ?? "", result });
    }
  };
  return (decision, settling) => {
    const model = decision.model?.name ?? "";
    const policy = decision.policy;
    decisions.inc({ policy, rule: decision.rule, model, outcome: codeName(decision.code), fallback: String(decision.fallbackUsed) });
    if (decision.fallbackUsed) fallbacks.inc({ policy, model });
    duration.observe({ policy, model }, decision.latencyMs / 1000);
    compared(decision.shadows);
    settling?.then(compared, () => undefined);
  };
}
