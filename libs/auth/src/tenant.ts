import type { CallerIdentity } from "@modelrouter/rpc-kit";
import { INTERNAL_ROLE } from "./roles.js";

/** A tenant id: letters, digits, '-', '_' and '.', 1 to 63 characters (the registry's rule for API keys). */
const TENANT = /^[A-Za-z0-9._-]{1,63}$/;

/** True for a valid tenant id. */
export function isTenant(value: string): boolean {
  return TENANT.test(value);
}

/**
 * The tenant whose tenant-scoped resources (decisions, feedback) an identity may read: undefined for every tenant
 * (an admin, another modelrouter service), otherwise its own. An identity of no tenant that is neither gets "",
 * which matches no tenant's resources.
 */
export function tenantFilter(identity: CallerIdentity): string | undefined {
  if (identity.roles.includes("admin") || identity.roles.includes(INTERNAL_ROLE)) return undefined;
  return identity.tenant;
}

/** Whether an identity may read a resource of `tenant` (see {@link tenantFilter}). */
export function mayAccessTenant(identity: CallerIdentity, tenant: string): boolean {
  const only = tenantFilter(identity);
  return only === undefined || (only !== "" && only === tenant);
}
