import { clone } from "@bufbuild/protobuf";
import { type RequestContext, type RoutingDecision, RoutingDecisionSchema } from "@modelrouter/contracts";
import { DomainError, invalidField, isDomainError } from "@modelrouter/errors";
import { type CompiledPolicy, orderPolicies } from "@modelrouter/policy";
import type { WhatIfPolicy } from "./what-if.js";

/**
 * The policies one what-if evaluation uses: the applied ones, with the what-if policy in place of the applied
 * policy of its name, or beside them when none has its name; in evaluation order (priority, then name). The
 * applied policies are not changed: nothing is stored, and every other decision is unaffected.
 *
 * @throws DomainError INVALID_FIELD when `context.policy` pins another policy, so that the what-if policy
 *   would not be evaluated at all.
 */
export function policiesWith(
  applied: readonly CompiledPolicy[],
  whatIf: WhatIfPolicy,
  context: RequestContext | undefined,
): readonly CompiledPolicy[] {
  const pinned = context?.policy ?? "";
  const name = whatIf.policy.name;
  if (pinned !== "" && pinned !== name) {
    throw invalidField(
      "context.policy",
      `pins policy "${pinned}", so the what-if ${whatIf.label} would not be evaluated: pin "${name}" (the request's ` +
        "policy), or leave it empty to evaluate every policy by priority",
    );
  }
  return orderPolicies([...applied.filter((p) => p.name !== name), whatIf.policy]);
}

/** The decision with its summary naming the what-if policy: `what-if (draft of policy "digits"): policy …`. */
export function markedDecision(decision: RoutingDecision, whatIf: WhatIfPolicy): RoutingDecision {
  const marked = clone(RoutingDecisionSchema, decision);
  if (marked.explanation !== undefined) marked.explanation.summary = `${prefix(whatIf)}${marked.explanation.summary}`;
  return marked;
}

/** An evaluation failure (NO_ROUTE, NO_SERVABLE_MODEL) with its message naming the what-if policy. */
export function markedFailure(error: unknown, whatIf: WhatIfPolicy): unknown {
  if (!isDomainError(error)) return error;
  return new DomainError(error.reason, `${prefix(whatIf)}${error.message}`, {
    metadata: error.metadata,
    violations: error.violations,
    cause: error,
  });
}

function prefix(whatIf: WhatIfPolicy): string {
  return `what-if (${whatIf.label}): `;
}
