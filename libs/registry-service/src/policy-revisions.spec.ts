import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Model, Policy } from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import { CALLER_HEADER } from "./registry-service.js";
import {
  backendFor,
  rpcErrorOf,
  uniqueName,
  validModel,
  validPolicy,
  type Backend,
  type Driver,
  type Registry,
} from "./registry.test-support.js";

const drivers: Driver[] = ["pglite", "postgres"];

describe.each(drivers)("policy revisions on %s", (driver) => {
  let backend: Backend;
  let registry: Registry;
  let model: Model;

  beforeAll(async () => {
    backend = await backendFor(driver);
    registry = await backend.open();
    model = (await registry.client.registerModel({ model: validModel({ name: uniqueName("target") }) })).model!;
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  const apply = async (policy: Policy, caller?: string): Promise<Policy> =>
    (await registry.client.applyPolicy({ policy }, caller === undefined ? {} : { headers: { [CALLER_HEADER]: caller } })).policy!;

  const revisionsOf = async (name: string) => (await registry.client.listPolicyRevisions({ name })).revisions;

  it("keeps every applied body with who applied it and when, newest first, each readable by GetPolicy", async () => {
    const name = uniqueName("policy");
    const first = await apply(validPolicy(name, model.name, { description: "first" }), "alice");
    const second = await apply(validPolicy(name, model.name, { description: "second" }), "bob");
    const third = await apply(validPolicy(name, model.name, { description: "third" }));

    const revisions = await revisionsOf(name);
    expect(revisions.map((r) => [r.revision, r.appliedBy])).toEqual([
      [third.revision, ""],
      [second.revision, "bob"],
      [first.revision, "alice"],
    ]);
    expect(revisions.map((r) => r.time)).toEqual([third.updateTime, second.updateTime, first.updateTime]);
    expect(new Set(revisions.map((r) => r.digest)).size).toBe(3);
    for (const r of revisions) expect(r.digest).toMatch(/^[0-9a-f]{12}$/);

    expect((await registry.client.getPolicy({ name, revision: first.revision })).policy).toEqual(first);
    expect((await registry.client.getPolicy({ name, revision: second.revision })).policy?.description).toBe("second");
    expect((await registry.client.getPolicy({ name, revision: 0n })).policy).toEqual(third);
  });

  it("rolls back by applying an old revision's body: a new revision with the old digest", async () => {
    const name = uniqueName("policy");
    const good = await apply(validPolicy(name, model.name, { description: "good" }));
    await apply(validPolicy(name, model.name, { description: "bad" }));
    const old = (await registry.client.getPolicy({ name, revision: good.revision })).policy!;

    const rolledBack = await apply(old);

    expect(rolledBack.description).toBe("good");
    const [newest, bad, original] = await revisionsOf(name);
    expect(newest?.revision).toBe(rolledBack.revision);
    expect(newest?.digest).toBe(original?.digest);
    expect(bad?.digest).not.toBe(original?.digest);
  });

  it("keeps no revision for a validate-only apply", async () => {
    const name = uniqueName("policy");
    const applied = await apply(validPolicy(name, model.name));
    await registry.client.applyPolicy({ policy: validPolicy(name, model.name, { description: "draft" }), validateOnly: true });
    expect((await revisionsOf(name)).map((r) => r.revision)).toEqual([applied.revision]);
  });

  it("keeps a deleted policy's history readable", async () => {
    const name = uniqueName("policy");
    const applied = await apply(validPolicy(name, model.name));
    await registry.client.deletePolicy({ name });

    expect((await rpcErrorOf(registry.client.getPolicy({ name }))).code).toBe(Code.NOT_FOUND);
    expect((await registry.client.getPolicy({ name, revision: applied.revision })).policy).toEqual(applied);
    expect((await revisionsOf(name)).map((r) => r.revision)).toEqual([applied.revision]);
  });

  it("pages through revisions newest first with page tokens bound to the policy", async () => {
    const name = uniqueName("policy");
    const applied: bigint[] = [];
    for (const description of ["a", "b", "c"]) applied.push((await apply(validPolicy(name, model.name, { description }))).revision);

    const first = await registry.client.listPolicyRevisions({ name, pageSize: 2 });
    const second = await registry.client.listPolicyRevisions({ name, pageSize: 2, pageToken: first.nextPageToken });

    expect([...first.revisions, ...second.revisions].map((r) => r.revision)).toEqual(applied.reverse());
    expect(second.nextPageToken).toBe("");
    const error = await rpcErrorOf(
      registry.client.listPolicyRevisions({ name: uniqueName("policy"), pageToken: first.nextPageToken }),
    );
    expect([error.code, error.violations.map((v) => v.field)]).toEqual([Code.INVALID_ARGUMENT, ["page_token"]]);
  });

  it("says which revision does not exist, and that a negative one is not a revision", async () => {
    const name = uniqueName("policy");
    const applied = await apply(validPolicy(name, model.name));

    const unknown = await rpcErrorOf(registry.client.getPolicy({ name, revision: applied.revision + 1000n }));
    expect([unknown.code, unknown.reason]).toEqual([Code.NOT_FOUND, "POLICY_NOT_FOUND"]);
    expect(unknown.message).toContain(`has no revision ${applied.revision + 1000n}`);

    const negative = await rpcErrorOf(registry.client.getPolicy({ name, revision: -1n }));
    expect([negative.code, negative.violations.map((v) => v.field)]).toEqual([Code.INVALID_ARGUMENT, ["revision"]]);

    const never = await rpcErrorOf(registry.client.listPolicyRevisions({ name: uniqueName("policy") }));
    expect(never.code).toBe(Code.NOT_FOUND);
  });

  it("keeps only the newest revisions of a policy beyond the configured count", async () => {
    const bounded = await backend.openFresh({ store: { policyRevisionsKept: 2 } });
    try {
      const target = (await bounded.client.registerModel({ model: validModel({ name: uniqueName("target") }) })).model!;
      const name = uniqueName("policy");
      const applied: Policy[] = [];
      for (const description of ["a", "b", "c"]) {
        applied.push((await bounded.client.applyPolicy({ policy: validPolicy(name, target.name, { description }) })).policy!);
      }
      const kept = (await bounded.client.listPolicyRevisions({ name })).revisions.map((r) => r.revision);
      expect(kept).toEqual([applied[2]!.revision, applied[1]!.revision]);
      const pruned = await rpcErrorOf(bounded.client.getPolicy({ name, revision: applied[0]!.revision }));
      expect(pruned.code).toBe(Code.NOT_FOUND);
    } finally {
      await bounded.close();
    }
  }, 60_000);
});
