import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create, toJson, type JsonValue } from "@bufbuild/protobuf";
import { FieldMaskSchema, ValueSchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ApiKeySchema, ModelSchema, PolicySchema, Role, type AuditEvent } from "@modelrouter/contracts";
import { Code, type CallerIdentity } from "@modelrouter/rpc-kit";
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
const EDITOR: CallerIdentity = { kind: "api-key", subject: "key:0123456789ab", tenant: "acme", roles: ["policy-editor"] };
const ADMIN: CallerIdentity = { kind: "jwt", subject: "alice", tenant: "", roles: ["admin"] };

/** An event as plain JSON, before and after included, for comparisons. */
function plain(event: AuditEvent) {
  return {
    actor: event.actor,
    actorTenant: event.actorTenant,
    action: event.action,
    resource: event.resource,
    before: event.before === undefined ? undefined : toJson(ValueSchema, event.before),
    after: event.after === undefined ? undefined : toJson(ValueSchema, event.after),
    revision: event.revision,
  };
}

describe.each(drivers)("the audit log on %s", (driver) => {
  let backend: Backend;
  let registry: Registry;

  beforeAll(async () => {
    backend = await backendFor(driver);
    registry = await backend.open();
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  const eventsOf = async (resourcePrefix: string) => (await registry.client.listAuditEvents({ resourcePrefix })).events.map(plain);

  it("records each model write as its caller, with the model before and after and the revision", async () => {
    const admin = registry.clientAs(ADMIN);
    const name = uniqueName("audited");
    const registered = (await admin.registerModel({ model: validModel({ name, description: "first" }) })).model!;
    const updated = (
      await admin.updateModel({
        model: validModel({ name, description: "second" }),
        updateMask: create(FieldMaskSchema, { paths: ["description"] }),
      })
    ).model!;
    const removed = (await admin.deregisterModel({ name, version: "1" })).models[0]!;
    const json = (model: typeof registered): JsonValue => toJson(ModelSchema, model);
    const who = { actor: "alice", actorTenant: "" };

    expect(await eventsOf(`model/${name}@`)).toEqual([
      { ...who, action: "DeregisterModel", resource: `model/${name}@1`, before: json(updated), after: undefined, revision: expect.any(BigInt) },
      { ...who, action: "UpdateModel", resource: `model/${name}@1`, before: json(registered), after: json(updated), revision: updated.revision },
      { ...who, action: "RegisterModel", resource: `model/${name}@1`, before: undefined, after: json(registered), revision: registered.revision },
    ]);
    expect(removed.name).toBe(name);
  });

  it("records policy writes with the caller's tenant and the policy's, and nothing for a validation only", async () => {
    const editor = registry.clientAs(EDITOR);
    const model = (await registry.client.registerModel({ model: validModel({ name: uniqueName("target") }) })).model!;
    const name = uniqueName("policy");
    await editor.applyPolicy({ policy: validPolicy(name, model.name, { tenant: "acme" }), validateOnly: true });
    const created = (await editor.applyPolicy({ policy: validPolicy(name, model.name, { description: "one", tenant: "acme" }) })).policy!;
    const replaced = (await editor.applyPolicy({ policy: validPolicy(name, model.name, { description: "two", tenant: "acme" }) })).policy!;
    const deleted = (await editor.deletePolicy({ name })).policy!;
    const json = (policy: typeof created): JsonValue => toJson(PolicySchema, policy);
    const who = { actor: EDITOR.subject, actorTenant: "acme" };

    expect(await eventsOf(`policy/${name}`)).toEqual([
      { ...who, action: "DeletePolicy", resource: `policy/${name}`, before: json(deleted), after: undefined, revision: expect.any(BigInt) },
      { ...who, action: "ApplyPolicy", resource: `policy/${name}`, before: json(created), after: json(replaced), revision: replaced.revision },
      { ...who, action: "ApplyPolicy", resource: `policy/${name}`, before: undefined, after: json(created), revision: created.revision },
    ]);
    expect(json(created)).toMatchObject({ tenant: "acme" });
  });

  it("records API keys created and revoked without their secret or hash", async () => {
    const admin = registry.clientAs(ADMIN);
    const created = await admin.createApiKey({ key: { tenant: uniqueName("t"), roles: [Role.CLIENT] } });
    const revoked = (await admin.revokeApiKey({ id: created.key!.id })).key!;
    await admin.revokeApiKey({ id: created.key!.id });
    const events = await eventsOf(`api-key/${created.key!.id}`);

    expect(events).toEqual([
      {
        actor: "alice",
        actorTenant: "",
        action: "RevokeApiKey",
        resource: `api-key/${created.key!.id}`,
        before: toJson(ApiKeySchema, created.key!),
        after: toJson(ApiKeySchema, revoked),
        revision: 0n,
      },
      {
        actor: "alice",
        actorTenant: "",
        action: "CreateApiKey",
        resource: `api-key/${created.key!.id}`,
        before: undefined,
        after: toJson(ApiKeySchema, created.key!),
        revision: 0n,
      },
    ]);
    const secret = created.secret.slice(`mrk_${created.key!.id}_`.length);
    expect(JSON.stringify(events, (_, value: unknown) => (typeof value === "bigint" ? value.toString() : value))).not.toContain(secret);
  });

  it("records nothing for a write that fails", async () => {
    const name = uniqueName("conflict");
    const model = (await registry.client.registerModel({ model: validModel({ name }) })).model!;
    const conflict = await rpcErrorOf(
      registry.client.updateModel({
        model: validModel({ name, description: "late" }),
        updateMask: create(FieldMaskSchema, { paths: ["description"] }),
        expectedRevision: model.revision + 100n,
      }),
    );
    expect(conflict.code).toBe(Code.ABORTED);
    const exists = await rpcErrorOf(registry.client.registerModel({ model: validModel({ name }) }));
    expect(exists.code).toBe(Code.ALREADY_EXISTS);
    expect((await eventsOf(`model/${name}@`)).map((e) => e.action)).toEqual(["RegisterModel"]);
  });

  it("filters by resource, actor and time, and pages newest first", async () => {
    const actor: CallerIdentity = { ...ADMIN, subject: uniqueName("pager") };
    const names = [uniqueName("page"), uniqueName("page"), uniqueName("page")];
    const start = new Date();
    for (const name of names) await registry.clientAs(actor).registerModel({ model: validModel({ name }) });

    const first = await registry.client.listAuditEvents({ actor: actor.subject, pageSize: 2 });
    const second = await registry.client.listAuditEvents({ actor: actor.subject, pageSize: 2, pageToken: first.nextPageToken });
    expect([...first.events, ...second.events].map((e) => e.resource)).toEqual(names.reverse().map((n) => `model/${n}@1`));
    expect(second.nextPageToken).toBe("");
    const later = await registry.client.listAuditEvents({ actor: actor.subject, startTime: timestampFromDate(new Date(start.getTime() + 3_600_000)) });
    expect(later.events).toEqual([]);
    const wrongToken = await rpcErrorOf(registry.client.listAuditEvents({ actor: "someone-else", pageToken: first.nextPageToken }));
    expect(wrongToken.violations.map((v) => v.field)).toEqual(["page_token"]);
  });

  it("cannot be edited or deleted, even in the database", async () => {
    await registry.client.registerModel({ model: validModel({ name: uniqueName("kept") }) });
    await expect(registry.db.query("UPDATE registry_audit_events SET actor = 'mallory'")).rejects.toThrow(/append-only/);
    await expect(registry.db.query("DELETE FROM registry_audit_events")).rejects.toThrow(/append-only/);
  });
});
