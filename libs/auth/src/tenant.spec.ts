import { describe, expect, it } from "@jest/globals";
import { ANONYMOUS_ADMIN, type CallerIdentity } from "@modelrouter/rpc-kit";
import { isTenant, mayAccessTenant, tenantFilter } from "./tenant.js";

const as = (tenant: string, ...roles: string[]): CallerIdentity => ({ kind: "api-key", subject: "key:0123456789ab", tenant, roles });

describe("tenants", () => {
  it.each(["acme", "a", "team-1.prod_eu", "x".repeat(63)])("accepts %j as a tenant id", (tenant) => {
    expect(isTenant(tenant)).toBe(true);
  });

  it.each(["", "x".repeat(64), "acme corp", "a/b", "ümlaut"])("refuses %j as a tenant id", (tenant) => {
    expect(isTenant(tenant)).toBe(false);
  });

  it("let admins, other services and the anonymous admin of the demo read every tenant", () => {
    for (const identity of [as("acme", "admin"), as("", "admin"), { kind: "internal", subject: "internal:router", tenant: "", roles: ["internal"] } as const, ANONYMOUS_ADMIN]) {
      expect(tenantFilter(identity)).toBeUndefined();
      expect(mayAccessTenant(identity, "globex")).toBe(true);
    }
  });

  it.each(["viewer", "client", "policy-editor"])("let a %s read only its own tenant", (role) => {
    expect(tenantFilter(as("acme", role))).toBe("acme");
    expect(mayAccessTenant(as("acme", role), "acme")).toBe(true);
    expect(mayAccessTenant(as("acme", role), "globex")).toBe(false);
    expect(mayAccessTenant(as("acme", role), "")).toBe(false);
  });

  it("let a non-admin of no tenant read no tenant's resources", () => {
    expect(mayAccessTenant(as("", "viewer"), "")).toBe(false);
    expect(mayAccessTenant(as("", "viewer"), "acme")).toBe(false);
  });
});
