import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code, type CallerIdentity } from "@modelrouter/rpc-kit";
import {
  backendFor,
  rpcErrorOf,
  uniqueName,
  validDecision,
  validModel,
  validPolicy,
  type Backend,
  type Driver,
  type Registry,
} from "./registry.test-support.js";

const drivers: Driver[] = ["pglite", "postgres"];

describe.each(drivers)("decision reads limited to the caller's tenant on %s", (driver) => {
  let backend: Backend;
  let registry: Registry;
  const acme = uniqueName("acme");
  const globex = uniqueName("globex");
  const viewerOf = (tenant: string): CallerIdentity => ({ kind: "api-key", subject: `key:${tenant}`, tenant, roles: ["viewer"] });
  const admin: CallerIdentity = { kind: "jwt", subject: "alice", tenant: "", roles: ["admin"] };
  const router: CallerIdentity = { kind: "internal", subject: "internal:router", tenant: "", roles: ["internal"] };
  const ids = { acme: uniqueName("req"), globex: uniqueName("req") };
  const policyName = uniqueName("tenancy");

  beforeAll(async () => {
    backend = await backendFor(driver);
    registry = await backend.open();
    const model = (await registry.client.registerModel({ model: validModel({ name: uniqueName("tenancy-model") }) })).model!;
    await registry.client.applyPolicy({ policy: validPolicy(policyName, model.name) });
    const decision = { policy: policyName, model: { name: model.name, version: "1" } };
    await registry.client.recordDecision({ decision: validDecision({ ...decision, requestId: ids.acme, tenant: acme }) });
    await registry.client.recordDecision({ decision: validDecision({ ...decision, requestId: ids.globex, tenant: globex }) });
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  const listed = async (identity: CallerIdentity, tenant = "") =>
    (await registry.clientAs(identity).listDecisions({ policy: policyName, tenant })).decisions.map((d) => d.requestId).sort();

  it("shows a tenant's viewer its own decisions only; another tenant's request id is not found", async () => {
    const viewer = registry.clientAs(viewerOf(acme));
    expect((await viewer.getDecision({ requestId: ids.acme })).decision?.tenant).toBe(acme);
    const hidden = await rpcErrorOf(viewer.getDecision({ requestId: ids.globex }));
    const unknown = await rpcErrorOf(viewer.getDecision({ requestId: uniqueName("never") }));
    expect(hidden.code).toBe(Code.NOT_FOUND);
    expect(hidden.reason).toBe(unknown.reason);
    expect(await listed(viewerOf(acme))).toEqual([ids.acme]);
    expect(await listed(viewerOf(acme), acme)).toEqual([ids.acme]);
  });

  it("refuses a tenant filter naming another tenant, naming the field", async () => {
    const error = await rpcErrorOf(registry.clientAs(viewerOf(acme)).listDecisions({ tenant: globex }));
    expect(error.code).toBe(Code.PERMISSION_DENIED);
    expect(error.message).toMatch(/^tenant: .*leave tenant empty/);
    expect(error.violations.map((v) => v.field)).toEqual(["tenant"]);
  });

  it("shows admins and services every tenant's decisions", async () => {
    for (const identity of [admin, router]) {
      expect(await listed(identity)).toEqual([ids.acme, ids.globex].sort());
      expect((await registry.clientAs(identity).getDecision({ requestId: ids.globex })).decision?.tenant).toBe(globex);
    }
  });

  it("keeps aggregates working for a tenant's viewer", async () => {
    const viewer = registry.clientAs(viewerOf(acme));
    const policy = (await registry.client.getPolicy({ name: policyName })).policy!;
    expect((await viewer.evaluatePolicy({ policy })).estimate).toBeDefined();
    expect((await viewer.listExperiments({})).experiments).toBeDefined();
  });
});
