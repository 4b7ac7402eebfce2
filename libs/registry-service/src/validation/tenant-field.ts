import { isTenant } from "@modelrouter/auth";
import type { Violations } from "@modelrouter/errors";

/**
 * Records at `field` a resource's `tenant` that is not empty (shared) nor a tenant id (letters, digits, '-', '_'
 * and '.', 1 to 63 characters: the syntax of an API key's tenant).
 */
export function checkResourceTenant(v: Violations, field: string, tenant: string): void {
  if (tenant === "" || isTenant(tenant)) return;
  v.add(
    field,
    `"${tenant.slice(0, 80)}" is not a tenant: give 1 to 63 letters, digits, '-', '_' or '.' (for example "acme-prod"), or leave it empty for every tenant`,
  );
}
