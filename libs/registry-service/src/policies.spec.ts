import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { RuleSchema, TargetSchema, type Model } from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
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

describe.each(drivers)("policies on %s", (driver) => {
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

  describe("ApplyPolicy", () => {
    it("creates a policy, then replaces it keeping its create time", async () => {
      const name = uniqueName("policy");
      const created = await registry.client.applyPolicy({ policy: validPolicy(name, model.name) });
      expect(created.created).toBe(true);
      expect(created.warnings).toEqual([]);
      expect(created.policy?.revision).toBe(await registry.store.revision());
      expect(created.policy?.createTime).toBeDefined();

      const replaced = await registry.client.applyPolicy({
        policy: validPolicy(name, model.name, { description: "second edition", revision: 1n }),
      });
      expect(replaced.created).toBe(false);
      expect(replaced.policy?.revision).toBeGreaterThan(created.policy!.revision);
      expect(replaced.policy?.createTime).toEqual(created.policy?.createTime);
      expect(replaced.policy?.description).toBe("second edition");
      expect((await registry.client.getPolicy({ name })).policy).toEqual(replaced.policy);
    });

    it("rejects a policy whose condition does not compile, naming the field and position, and stores nothing", async () => {
      const name = uniqueName("policy");
      const before = await registry.store.revision();
      const policy = validPolicy(name, model.name);
      policy.rules[0]!.when = 'input.modality == "image" &&';
      policy.rules.push({ ...policy.rules[0]!, name: "Bad Rule", when: "request.metadata['x'] == 1 +" });
      const error = await rpcErrorOf(registry.client.applyPolicy({ policy }));
      expect([error.code, error.reason]).toEqual([Code.INVALID_ARGUMENT, "POLICY_INVALID"]);
      expect(error.metadata["field"]).toBe("policy.rules[0].when");
      expect(error.metadata["line"]).toBe("1");
      expect(Number(error.metadata["column"])).toBeGreaterThan(1);
      expect(error.message).toContain(`policy "${name}" does not compile: policy.rules[0].when (line 1, column ${error.metadata["column"]})`);
      const fields = error.violations.map((v) => v.field);
      expect(fields).toEqual(expect.arrayContaining(["policy.rules[0].when", "policy.rules[1].name", "policy.rules[1].when"]));
      expect(error.violations.find((v) => v.field === "policy.rules[0].when")?.description).toMatch(/^line 1, column \d+: /);
      expect((await rpcErrorOf(registry.client.getPolicy({ name }))).code).toBe(Code.NOT_FOUND);
      expect(await registry.store.revision()).toBe(before);
    });

    it("rejects a condition that does not type-check, and a policy without a name", async () => {
      const policy = validPolicy("", model.name);
      policy.rules[0]!.when = "input.modality + 1";
      const error = await rpcErrorOf(registry.client.applyPolicy({ policy }));
      expect(error.reason).toBe("POLICY_INVALID");
      expect(error.violations.map((v) => v.field)).toEqual(expect.arrayContaining(["policy.name", "policy.rules[0].when"]));
      expect((await rpcErrorOf(registry.client.applyPolicy({}))).violations.map((v) => v.field)).toEqual(["policy"]);
    });

    it("warns about target models that are not registered, and still stores the policy", async () => {
      const name = uniqueName("policy");
      const missing = uniqueName("missing");
      const policy = validPolicy(name, model.name);
      policy.rules[0]!.route!.fallbacks.push(
        create(TargetSchema, { kind: { case: "model", value: { name: missing, version: "" } } }),
      );
      policy.rules.push(
        create(RuleSchema, {
          name: "pinned",
          when: 'input.modality == "text"',
          route: { targets: [{ kind: { case: "model", value: { name: model.name, version: "9" } } }] },
        }),
      );
      const { warnings, created } = await registry.client.applyPolicy({ policy });
      expect(created).toBe(true);
      expect(warnings).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^policy\\.rules\\[0\\]\\.route\\.fallbacks\\[0\\].*"${missing}" is not registered`)),
          expect.stringMatching(new RegExp(`^policy\\.rules\\[1\\]\\.route\\.targets\\[0\\].*version "9" of model "${model.name}" is not registered`)),
        ]),
      );
      expect(warnings).toHaveLength(2);
    });

    it("with expected_revision 0 only creates; with N only replaces revision N", async () => {
      const name = uniqueName("policy");
      const first = await registry.client.applyPolicy({ policy: validPolicy(name, model.name), expectedRevision: 0n });
      const revision = first.policy!.revision;

      const exists = await rpcErrorOf(registry.client.applyPolicy({ policy: validPolicy(name, model.name), expectedRevision: 0n }));
      expect([exists.code, exists.reason]).toEqual([Code.ABORTED, "REVISION_CONFLICT"]);
      expect(exists.metadata).toEqual({ expectedRevision: "0", actualRevision: revision.toString() });

      const stale = await rpcErrorOf(
        registry.client.applyPolicy({ policy: validPolicy(name, model.name), expectedRevision: revision - 1n }),
      );
      expect(stale.metadata).toEqual({ expectedRevision: (revision - 1n).toString(), actualRevision: revision.toString() });

      const second = await registry.client.applyPolicy({ policy: validPolicy(name, model.name), expectedRevision: revision });
      expect(second.created).toBe(false);

      const absent = await rpcErrorOf(
        registry.client.applyPolicy({ policy: validPolicy(uniqueName("policy"), model.name), expectedRevision: 5n }),
      );
      expect(absent.code).toBe(Code.ABORTED);
      expect(absent.metadata["actualRevision"]).toBe("0");
    });

    it("with validate_only reports what would happen and stores nothing", async () => {
      const name = uniqueName("policy");
      const before = await registry.store.revision();
      const dryRun = await registry.client.applyPolicy({ policy: validPolicy(name, model.name), validateOnly: true });
      expect(dryRun.created).toBe(true);
      expect(dryRun.policy?.name).toBe(name);
      expect(await registry.store.revision()).toBe(before);
      expect((await rpcErrorOf(registry.client.getPolicy({ name }))).code).toBe(Code.NOT_FOUND);

      await registry.client.applyPolicy({ policy: validPolicy(name, model.name) });
      const conflict = await rpcErrorOf(
        registry.client.applyPolicy({ policy: validPolicy(name, model.name), validateOnly: true, expectedRevision: 0n }),
      );
      expect(conflict.code).toBe(Code.ABORTED);
      const broken = validPolicy(name, model.name);
      broken.rules[0]!.when = "(";
      expect((await rpcErrorOf(registry.client.applyPolicy({ policy: broken, validateOnly: true }))).reason).toBe("POLICY_INVALID");
    });
  });

  describe("GetPolicy, ListPolicies, DeletePolicy", () => {
    it("lists policies in name order, a page at a time, and rejects a foreign page token", async () => {
      const prefix = uniqueName("list");
      const names = ["c", "a", "d", "b", "e"].map((suffix) => `${prefix}-${suffix}`);
      for (const name of names) await registry.client.applyPolicy({ policy: validPolicy(name, model.name) });
      const seen: string[] = [];
      let token = "";
      do {
        const page = await registry.client.listPolicies({ pageSize: 2, pageToken: token });
        expect(page.policies.length).toBeLessThanOrEqual(2);
        seen.push(...page.policies.map((p) => p.name));
        token = page.nextPageToken;
      } while (token !== "");
      expect(seen.filter((name) => name.startsWith(prefix))).toEqual([...names].sort());
      expect(seen).toEqual([...seen].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));

      await registry.client.registerModel({ model: validModel({ name: uniqueName() }) });
      const modelToken = (await registry.client.listModels({ pageSize: 1 })).nextPageToken;
      expect(modelToken).not.toBe("");
      const error = await rpcErrorOf(registry.client.listPolicies({ pageToken: modelToken }));
      expect(error.violations.map((v) => v.field)).toEqual(["page_token"]);
    });

    it("deletes a policy, returning its last state; a stale revision or an unknown name fails", async () => {
      const name = uniqueName("policy");
      const { policy } = await registry.client.applyPolicy({ policy: validPolicy(name, model.name) });
      const stale = await rpcErrorOf(registry.client.deletePolicy({ name, expectedRevision: policy!.revision + 1n }));
      expect(stale.code).toBe(Code.ABORTED);
      const deleted = await registry.client.deletePolicy({ name, expectedRevision: policy!.revision });
      expect(deleted.policy).toEqual(policy);
      const again = await rpcErrorOf(registry.client.deletePolicy({ name }));
      expect([again.code, again.reason, again.metadata]).toEqual([Code.NOT_FOUND, "POLICY_NOT_FOUND", { name }]);
      expect((await rpcErrorOf(registry.client.getPolicy({ name: "Not A Name" }))).code).toBe(Code.INVALID_ARGUMENT);
    });
  });
});
