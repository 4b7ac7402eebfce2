import type { Policy } from "@modelrouter/contracts";
import { ERROR_DOMAIN, ErrorReason } from "@modelrouter/errors";
import { Code, RpcError, type CallerIdentity } from "@modelrouter/rpc-kit";
import { policyNotFound } from "../store/policy-store.js";

/**
 * The tenant a caller is confined to for models and policies, or undefined when it may see and change every
 * tenant's: another modelrouter service, an admin, and a credential of no tenant (everyone when authentication is
 * off). The router's rule for requests (`confinedTenant` of its `caller-tenant.ts`).
 */
export function confinedTenantOf(identity: CallerIdentity): string | undefined {
  if (identity.kind === "internal" || identity.roles.includes("admin") || identity.tenant === "") return undefined;
  return identity.tenant;
}

/** Whether a caller may see a model or policy of `tenant`: a shared one ("") or one of its own tenant. */
export function maySee(identity: CallerIdentity, tenant: string): boolean {
  const own = confinedTenantOf(identity);
  return own === undefined || tenant === "" || tenant === own;
}

/** The policy itself when the caller may see it; POLICY_NOT_FOUND (as for a name never applied) when not. */
export function visiblePolicy(policy: Policy, identity: CallerIdentity): Policy {
  if (!maySee(identity, policy.tenant)) throw policyNotFound(policy.name);
  return policy;
}

/**
 * Checks that a caller may apply a policy of `policy.tenant`: a confined caller (a policy editor of tenant "acme")
 * only policies of its own tenant.
 *
 * @throws RpcError PERMISSION_DENIED naming `policy.tenant` and the fix.
 */
export function checkPolicyTenant(policy: Policy, identity: CallerIdentity): void {
  const own = confinedTenantOf(identity);
  if (own === undefined || policy.tenant === own) return;
  const given = policy.tenant === "" ? "is empty (a shared policy, for every tenant)" : `names tenant "${policy.tenant.slice(0, 80)}"`;
  throw denied(
    "policy.tenant",
    `policy.tenant ${given}: your credential belongs to tenant "${own}" and may change only its policies: set policy.tenant to "${own}"`,
  );
}

/**
 * The check ApplyPolicy runs on the policy it would replace: a confined caller may replace only its own
 * tenant's. Another tenant's policy of that name is PERMISSION_DENIED too (names are global), naming `policy.name`.
 */
export function mayReplacePolicy(identity: CallerIdentity): ((existing: Policy) => void) | undefined {
  const own = confinedTenantOf(identity);
  if (own === undefined) return undefined;
  return (existing) => {
    if (existing.tenant === own) return;
    throw denied(
      "policy.name",
      `policy.name: a policy named "${existing.name}" exists and is not tenant "${own}"'s, so your credential may not replace it: choose another name`,
    );
  };
}

/**
 * The check DeletePolicy runs on the policy it would delete: a confined caller may delete only its own tenant's;
 * another tenant's is POLICY_NOT_FOUND (as it is to GetPolicy), a shared one PERMISSION_DENIED.
 */
export function mayRemovePolicy(identity: CallerIdentity): ((existing: Policy) => void) | undefined {
  const own = confinedTenantOf(identity);
  if (own === undefined) return undefined;
  return (existing) => {
    if (existing.tenant === own) return;
    if (existing.tenant !== "") throw policyNotFound(existing.name);
    throw denied("name", `policy "${existing.name}" is shared (of no tenant): only an admin or a policy editor of no tenant may delete it`);
  };
}

function denied(field: string, message: string): RpcError {
  return new RpcError({
    code: Code.PERMISSION_DENIED,
    reason: ErrorReason.PERMISSION_DENIED,
    domain: ERROR_DOMAIN,
    message,
    metadata: { field },
    violations: [{ field, description: message }],
  });
}

/**
 * Refuses a watch of models or policies to a confined caller: watches stream every tenant's changes, and are for
 * other modelrouter services and admins.
 *
 * @throws RpcError PERMISSION_DENIED saying to list instead.
 */
export function checkMayWatch(identity: CallerIdentity, what: "models" | "policies"): void {
  const own = confinedTenantOf(identity);
  if (own === undefined) return;
  throw new RpcError({
    code: Code.PERMISSION_DENIED,
    reason: ErrorReason.PERMISSION_DENIED,
    domain: ERROR_DOMAIN,
    message: `watching ${what} streams every tenant's changes: your credential belongs to tenant "${own}"; list ${what} instead (List${what === "models" ? "Models" : "Policies"} shows yours and the shared ones)`,
  });
}
