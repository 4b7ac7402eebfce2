import type { CallerIdentity } from "@modelrouter/rpc-kit";
import type { AuditActor } from "../store/audit-log.js";

/** The audit log's actor of a call: its identity's subject and tenant. */
export function auditActorOf(identity: CallerIdentity): AuditActor {
  return { subject: identity.subject, tenant: identity.tenant };
}

/**
 * The tenant a caller's decision reads are limited to, or undefined when it may read every tenant's: an admin
 * (role "admin") or another modelrouter service (kind "internal").
 */
export function decisionTenantOf(identity: CallerIdentity): string | undefined {
  if (identity.kind === "internal" || identity.roles.includes("admin")) return undefined;
  return identity.tenant;
}
