import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code, type CallerIdentity } from "@modelrouter/rpc-kit";
import { backendFor, rpcErrorOf, uniqueName, validModel, validPolicy, type Backend, type Driver, type Registry } from "./registry.test-support.js";

const drivers: Driver[] = ["pglite", "postgres"];

describe.each(drivers)("tenant-scoped models and policies on %s", (driver) => {
  let backend: Backend;
  let registry: Registry;
  const acme = uniqueName("acme");
  const globex = uniqueName("globex");
  const as = (tenant: string, role: string): CallerIdentity => ({ kind: "api-key", subject: `key:${tenant}-${role}`, tenant, roles: [role] });
  const admin: CallerIdentity = { kind: "jwt", subject: "alice", tenant: "", roles: ["admin"] };
  const service: CallerIdentity = { kind: "internal", subject: "internal:decision-engine", tenant: "", roles: ["internal"] };
  const names = { shared: uniqueName("shared"), acme: uniqueName("acme-model"), globex: uniqueName("globex-model") };
  const policies = { shared: uniqueName("shared-policy"), acme: uniqueName("acme-policy"), globex: uniqueName("globex-policy") };

  beforeAll(async () => {
    backend = await backendFor(driver);
    registry = await backend.open();
    const writer = registry.clientAs(admin);
    await writer.registerModel({ model: validModel({ name: names.shared, labels: { suite: acme } }) });
    await writer.registerModel({ model: validModel({ name: names.acme, tenant: acme, labels: { suite: acme } }) });
    await writer.registerModel({ model: validModel({ name: names.globex, tenant: globex, labels: { suite: acme } }) });
    await writer.applyPolicy({ policy: validPolicy(policies.shared, names.shared) });
    await writer.applyPolicy({ policy: validPolicy(policies.acme, names.acme, { tenant: acme }) });
    await writer.applyPolicy({ policy: validPolicy(policies.globex, names.globex, { tenant: globex }) });
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  const listedModels = async (identity: CallerIdentity) =>
    (await registry.clientAs(identity).listModels({ labels: { suite: acme } })).models.map((m) => m.name).sort();
  const listedPolicies = async (identity: CallerIdentity) =>
    (await registry.clientAs(identity).listPolicies({ pageSize: 1000 })).policies.map((p) => p.name).filter((n) => Object.values(policies).includes(n)).sort();

  it("stores a model's and a policy's tenant and returns it", async () => {
    expect((await registry.client.getModel({ name: names.acme, version: "1" })).model?.tenant).toBe(acme);
    expect((await registry.client.getPolicy({ name: policies.acme })).policy?.tenant).toBe(acme);
    const { rows } = await registry.db.query("SELECT tenant FROM registry_models WHERE name = $1", [names.acme]);
    expect(rows.map((r) => r["tenant"])).toEqual([acme]);
  });

  it("shows a tenant's viewer the shared models and policies and its own; another tenant's are not found, as unknown ones", async () => {
    const viewer = registry.clientAs(as(acme, "viewer"));
    expect(await listedModels(as(acme, "viewer"))).toEqual([names.acme, names.shared].sort());
    expect(await listedPolicies(as(acme, "viewer"))).toEqual([policies.acme, policies.shared].sort());
    expect((await viewer.getModel({ name: names.acme })).model?.tenant).toBe(acme);
    expect((await viewer.getPolicy({ name: policies.shared })).policy?.tenant).toBe("");

    for (const [hidden, unknown] of [
      [viewer.getModel({ name: names.globex }), viewer.getModel({ name: uniqueName("never") })],
      [viewer.getModel({ name: names.globex, version: "1" }), viewer.getModel({ name: uniqueName("never"), version: "1" })],
    ] as const) {
      const [h, u] = [await rpcErrorOf(hidden), await rpcErrorOf(unknown)];
      expect(h.code).toBe(Code.NOT_FOUND);
      expect(h.reason).toBe(u.reason);
    }
    const hiddenPolicy = await rpcErrorOf(viewer.getPolicy({ name: policies.globex }));
    const unknownPolicy = await rpcErrorOf(viewer.getPolicy({ name: "never-applied" }));
    expect(hiddenPolicy.code).toBe(Code.NOT_FOUND);
    expect(hiddenPolicy.message.replace(policies.globex, "X")).toBe(unknownPolicy.message.replace("never-applied", "X"));
    expect((await rpcErrorOf(viewer.listPolicyRevisions({ name: policies.globex }))).code).toBe(Code.NOT_FOUND);
    const revision = (await registry.client.getPolicy({ name: policies.globex })).policy!.revision;
    expect((await rpcErrorOf(viewer.getPolicy({ name: policies.globex, revision }))).code).toBe(Code.NOT_FOUND);
  });

  it("shows admins and services every tenant's", async () => {
    for (const identity of [admin, service]) {
      expect(await listedModels(identity)).toEqual(Object.values(names).sort());
      expect(await listedPolicies(identity)).toEqual(Object.values(policies).sort());
    }
  });

  it("lets a tenant's policy editor apply and delete only its tenant's policies", async () => {
    const editor = registry.clientAs(as(acme, "policy-editor"));
    const own = uniqueName("acme-own");
    expect((await editor.applyPolicy({ policy: validPolicy(own, names.acme, { tenant: acme }) })).policy?.tenant).toBe(acme);

    const shared = await rpcErrorOf(editor.applyPolicy({ policy: validPolicy(uniqueName("p"), names.shared) }));
    expect(shared.code).toBe(Code.PERMISSION_DENIED);
    expect(shared.violations.map((v) => v.field)).toEqual(["policy.tenant"]);
    expect(shared.message).toMatch(new RegExp(`^policy\\.tenant is empty .*set policy\\.tenant to "${acme}"`));
    const other = await rpcErrorOf(editor.applyPolicy({ policy: validPolicy(uniqueName("p"), names.shared, { tenant: globex }) }));
    expect(other.code).toBe(Code.PERMISSION_DENIED);
    expect(other.violations.map((v) => v.field)).toEqual(["policy.tenant"]);

    const takeover = await rpcErrorOf(editor.applyPolicy({ policy: validPolicy(policies.shared, names.shared, { tenant: acme }) }));
    expect(takeover.code).toBe(Code.PERMISSION_DENIED);
    expect(takeover.violations.map((v) => v.field)).toEqual(["policy.name"]);
    expect((await registry.client.getPolicy({ name: policies.shared })).policy?.tenant).toBe("");

    expect((await rpcErrorOf(editor.deletePolicy({ name: policies.globex }))).code).toBe(Code.NOT_FOUND);
    expect((await rpcErrorOf(editor.deletePolicy({ name: policies.shared }))).code).toBe(Code.PERMISSION_DENIED);
    await editor.deletePolicy({ name: own });
    expect((await rpcErrorOf(registry.client.getPolicy({ name: own }))).code).toBe(Code.NOT_FOUND);
  });

  it("compiles a tenant's policy against the shared models and its own only", async () => {
    const editor = registry.clientAs(as(acme, "policy-editor"));
    const never = uniqueName("never");
    const naming = await editor.applyPolicy({ policy: validPolicy(uniqueName("acme-names-globex"), names.globex, { tenant: acme }), validateOnly: true });
    const unknown = await editor.applyPolicy({ policy: validPolicy(uniqueName("acme-names-none"), never, { tenant: acme }), validateOnly: true });
    const strip = (warnings: readonly string[], name: string) => warnings.map((w) => w.replaceAll(name, "X"));
    expect(naming.warnings.length).toBeGreaterThan(0);
    expect(strip(naming.warnings, names.globex)).toEqual(strip(unknown.warnings, never));
  });

  it("refuses watches to a caller confined to a tenant", async () => {
    const viewer = registry.clientAs(as(acme, "viewer"));
    const watch = async (open: () => AsyncIterable<unknown>) => {
      for await (const _ of open()) return;
    };
    for (const open of [() => viewer.watchModels({}), () => viewer.watchPolicies({})]) {
      const error = await rpcErrorOf(watch(open));
      expect(error.code).toBe(Code.PERMISSION_DENIED);
      expect(error.message).toMatch(/streams every tenant's changes.*list (models|policies) instead/);
    }
  });

  it("refuses a tenant that is not a tenant id, naming the field", async () => {
    const model = await rpcErrorOf(registry.client.registerModel({ model: validModel({ name: uniqueName("m"), tenant: "has space" }) }));
    expect(model.violations.map((v) => v.field)).toEqual(["model.tenant"]);
    const policy = await rpcErrorOf(registry.client.applyPolicy({ policy: validPolicy(uniqueName("p"), names.shared, { tenant: "x".repeat(64) }) }));
    expect(policy.violations.map((v) => v.field)).toEqual(["policy.tenant"]);
    expect(policy.violations[0]?.description).toMatch(/is not a tenant: give 1 to 63 letters/);
  });

  it("audits the tenant with the policy, before and after", async () => {
    const events = (await registry.clientAs(admin).listAuditEvents({ resourcePrefix: `policy/${policies.acme}` })).events;
    expect(JSON.stringify(events[0]?.after)).toContain(acme);
  });
});
