import type { DecisionRecord } from "@modelrouter/contracts";
import { DomainError, ERROR_DOMAIN, ErrorReason } from "@modelrouter/errors";
import { Code, RpcError, type CallerIdentity } from "@modelrouter/rpc-kit";

/**
 * The tenant a caller is confined to, or undefined when it may act for any: another modelrouter service, an
 * admin, and a credential of no tenant (everyone when authentication is off) — the registry's rule for decisions.
 */
function confinedTenant(identity: CallerIdentity): string | undefined {
  if (identity.kind === "internal" || identity.roles.includes("admin") || identity.tenant === "") return undefined;
  return identity.tenant;
}

/**
 * The tenant a request is served (and logged, and matched by policies) for. A caller confined to a tenant (a
 * client's API key) is served for its own: an empty `tenant` takes it, the same one is accepted. A caller that is
 * not (an admin, another service, anyone when authentication is off) keeps the request's, or its own when the
 * request names none.
 *
 * @param field the request field's path in the error, e.g. "tenant" or "request.tenant".
 * @throws RpcError PERMISSION_DENIED naming `field` when a confined caller names another tenant.
 */
export function tenantOfCall(requested: string, identity: CallerIdentity, field: string): string {
  const own = confinedTenant(identity);
  if (own === undefined) return requested === "" ? identity.tenant : requested;
  if (requested === "" || requested === own) return own;
  throw new RpcError({
    code: Code.PERMISSION_DENIED,
    message: `${field}: your key belongs to tenant "${own}"; leave ${field} empty (or set it to "${own}")`,
    reason: ErrorReason.PERMISSION_DENIED,
    domain: ERROR_DOMAIN,
    metadata: { field },
    violations: [{ field, description: `names another tenant than your credential's ("${own}"): leave it empty` }],
  });
}

/**
 * The service tier a request is served (shed, logged, and matched by policies) at. A caller whose identity carries
 * a tier (an API key's `tier`, a JWT's tier claim) is served at it: an empty `tier` takes it, the same one is
 * accepted. A caller without one keeps the request's.
 *
 * @param field the request field's path in the error, e.g. "tier" or "request.tier".
 * @throws RpcError PERMISSION_DENIED naming `field` when such a caller names another tier.
 */
export function tierOfCall(requested: string, identity: CallerIdentity, field: string): string {
  const own = identity.tier;
  if (own === undefined || own === "") return requested;
  if (requested === "" || requested === own) return own;
  throw new RpcError({
    code: Code.PERMISSION_DENIED,
    message: `${field}: your credential is of tier "${own}"; leave ${field} empty (or set it to "${own}")`,
    reason: ErrorReason.PERMISSION_DENIED,
    domain: ERROR_DOMAIN,
    metadata: { field },
    violations: [{ field, description: `names another tier than your credential's ("${own}"): leave it empty` }],
  });
}

/** Whether a caller may see (give feedback on) a logged decision: one of its own tenant, or any when it is not confined. */
export function mayAccessDecision(decision: DecisionRecord, identity: CallerIdentity): boolean {
  const own = confinedTenant(identity);
  return own === undefined || decision.tenant === own;
}

/** Whether a caller is confined to one tenant's requests and decisions. */
export function isConfinedToTenant(identity: CallerIdentity): boolean {
  return confinedTenant(identity) !== undefined;
}

/**
 * The error of feedback on a request id the caller may not see: the same REQUEST_NOT_FOUND as for an id that
 * was never logged, so that another tenant's request ids are not revealed.
 */
export function feedbackRequestNotFound(requestId: string): DomainError {
  return new DomainError(
    ErrorReason.REQUEST_NOT_FOUND,
    `no decision is logged for request "${requestId}": it was never recorded, or it is older than the decision ` + `log's retention`,
    { metadata: { requestId } },
  );
}
