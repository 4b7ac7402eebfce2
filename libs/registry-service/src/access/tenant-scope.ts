import type { DecisionRecord } from "@modelrouter/contracts";
import { Code, RpcError, type CallerIdentity } from "@modelrouter/rpc-kit";
import type { DecisionFilter } from "../store/decision-query.js";
import { requestNotFound } from "../store/decision-store.js";
import { decisionTenantOf } from "./caller.js";
import { ERROR_DOMAIN, ErrorReason } from "@modelrouter/errors";

/**
 * A ListDecisions filter limited to what `identity` may read: unchanged for an admin or a service; otherwise
 * limited to the identity's tenant.
 *
 * @throws RpcError PERMISSION_DENIED naming `tenant` when the filter names another tenant.
 */
export function scopeDecisionFilter(filter: DecisionFilter, identity: CallerIdentity): DecisionFilter {
  const tenant = decisionTenantOf(identity);
  if (tenant === undefined) return filter;
  if (filter.tenant !== undefined && filter.tenant !== tenant) {
    throw new RpcError({
      code: Code.PERMISSION_DENIED,
      reason: ErrorReason.PERMISSION_DENIED,
      domain: ERROR_DOMAIN,
      message: `tenant: your credential belongs to tenant "${tenant}" and may read only its decisions: leave tenant empty or give "${tenant}"`,
      violations: [{ field: "tenant", description: `names another tenant than your credential's ("${tenant}")` }],
    });
  }
  return { ...filter, tenant };
}

/**
 * The decision itself when `identity` may read it; REQUEST_NOT_FOUND (as for an unknown request id, so that other
 * tenants' request ids are not revealed) when it is another tenant's.
 */
export function visibleDecision(decision: DecisionRecord, identity: CallerIdentity): DecisionRecord {
  const tenant = decisionTenantOf(identity);
  if (tenant !== undefined && decision.tenant !== tenant) throw requestNotFound(decision.requestId);
  return decision;
}
