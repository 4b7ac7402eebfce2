import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { toJson } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { hashApiKeySecret, parseApiKey } from "@modelrouter/auth";
import { ListApiKeysResponseSchema, Role } from "@modelrouter/contracts";
import { Code, type CallerIdentity } from "@modelrouter/rpc-kit";
import { verifyApiKeyIn } from "./index.js";
import { backendFor, rpcErrorOf, uniqueName, type Backend, type Driver, type Registry } from "./registry.test-support.js";

const drivers: Driver[] = ["pglite", "postgres"];
const ADMIN: CallerIdentity = { kind: "jwt", subject: "alice", tenant: "", roles: ["admin"] };
const UNKNOWN = "the API key is unknown, expired or revoked";

describe.each(drivers)("API keys on %s", (driver) => {
  let backend: Backend;
  let registry: Registry;
  let clock = new Date("2030-01-01T00:00:00Z");

  beforeAll(async () => {
    backend = await backendFor(driver);
    registry = await backend.open({ store: { now: () => clock } });
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  const createKey = (tenant: string, roles: Role[], extra: { description?: string; expireTime?: Date; tier?: string } = {}) =>
    registry.clientAs(ADMIN).createApiKey({
      key: {
        tenant,
        roles,
        description: extra.description ?? "",
        tier: extra.tier ?? "",
        ...(extra.expireTime === undefined ? {} : { expireTime: timestampFromDate(extra.expireTime) }),
      },
    });

  it("returns the key once and stores only the hash of its secret", async () => {
    const tenant = uniqueName("acme");
    const created = await createKey(tenant, [Role.CLIENT, Role.VIEWER], { description: "checkout, production" });
    const parsed = parseApiKey(created.secret);
    expect(parsed?.id).toBe(created.key?.id);
    expect(created.key).toMatchObject({ tenant, roles: [Role.CLIENT, Role.VIEWER], description: "checkout, production", createdBy: "alice" });

    const { rows } = await registry.db.query("SELECT * FROM registry_api_keys WHERE id = $1", [parsed!.id]);
    expect(rows[0]?.["secret_hash"]).toBe(hashApiKeySecret(parsed!.secret));
    expect(JSON.stringify(rows)).not.toContain(parsed!.secret);

    const listed = await registry.client.listApiKeys({ tenant });
    expect(listed.keys).toEqual([created.key]);
    const json = JSON.stringify(toJson(ListApiKeysResponseSchema, listed));
    expect(json).not.toContain(parsed!.secret);
    expect(json).not.toContain(hashApiKeySecret(parsed!.secret));
  });

  it("verifies a valid key and returns what it may do", async () => {
    const created = await createKey(uniqueName("acme"), [Role.CLIENT]);
    expect((await registry.client.verifyApiKey({ secret: created.secret })).key).toEqual(created.key);
    expect(await verifyApiKeyIn(registry.store)(created.secret)).toEqual(created.key);
  });

  it("keeps a key's tier: created, listed and verified with it", async () => {
    const tenant = uniqueName("acme");
    const created = await createKey(tenant, [Role.CLIENT], { tier: "premium" });
    expect(created.key?.tier).toBe("premium");
    expect((await registry.client.listApiKeys({ tenant })).keys.map((k) => k.tier)).toEqual(["premium"]);
    expect((await registry.client.verifyApiKey({ secret: created.secret })).key?.tier).toBe("premium");
    expect((await createKey(tenant, [Role.CLIENT])).key?.tier).toBe("");
  });

  it("refuses a malformed, unknown, wrong-secret, revoked or expired key with one message that never echoes it", async () => {
    const revoked = await createKey(uniqueName("acme"), [Role.CLIENT]);
    await registry.client.revokeApiKey({ id: revoked.key!.id });
    const expiring = await createKey(uniqueName("acme"), [Role.CLIENT], { expireTime: new Date(clock.getTime() + 60_000) });
    const valid = await createKey(uniqueName("acme"), [Role.CLIENT]);
    const { id } = parseApiKey(valid.secret)!;
    const wrongSecret = `mrk_${id}_${"A".repeat(43)}`;
    const unknownId = `mrk_0123456789ab_${"B".repeat(43)}`;
    clock = new Date(clock.getTime() + 120_000);
    for (const secret of ["", "Bearer", "mrk_garbage", unknownId, wrongSecret, revoked.secret, expiring.secret]) {
      const error = await rpcErrorOf(registry.client.verifyApiKey({ secret }));
      expect([error.code, error.message]).toEqual([Code.UNAUTHENTICATED, expect.stringContaining(UNKNOWN)]);
      if (secret !== "") expect(error.message).not.toContain(secret);
    }
  });

  it("revokes at once; revoking again changes nothing; an unknown id is NOT_FOUND", async () => {
    const created = await createKey(uniqueName("acme"), [Role.VIEWER]);
    const first = (await registry.client.revokeApiKey({ id: created.key!.id })).key!;
    expect(first.revokeTime).toBeDefined();
    const again = (await registry.client.revokeApiKey({ id: created.key!.id })).key!;
    expect(again).toEqual(first);
    expect((await rpcErrorOf(registry.client.revokeApiKey({ id: "0000000000ff" }))).code).toBe(Code.NOT_FOUND);
    expect((await rpcErrorOf(registry.client.revokeApiKey({ id: created.secret }))).violations.map((v) => v.field)).toEqual(["id"]);
  });

  it("lists active keys newest first, and inactive ones only when asked, for one tenant or all", async () => {
    const tenant = uniqueName("list");
    const old = await createKey(tenant, [Role.VIEWER]);
    clock = new Date(clock.getTime() + 1_000);
    const young = await createKey(tenant, [Role.CLIENT]);
    clock = new Date(clock.getTime() + 1_000);
    const gone = await createKey(tenant, [Role.CLIENT]);
    await registry.client.revokeApiKey({ id: gone.key!.id });
    const ids = async (includeInactive: boolean) =>
      (await registry.client.listApiKeys({ tenant, includeInactive })).keys.map((k) => k.id);
    expect(await ids(false)).toEqual([young.key!.id, old.key!.id]);
    expect(await ids(true)).toEqual([gone.key!.id, young.key!.id, old.key!.id]);
    expect((await registry.client.listApiKeys({})).keys.map((k) => k.id)).toEqual(expect.arrayContaining([young.key!.id, old.key!.id]));
  });

  it("names every bad field of a key to create, and the fix", async () => {
    const error = await rpcErrorOf(
      registry.client.createApiKey({
        key: { tenant: "has space", roles: [], tier: "gold plus", description: "x".repeat(257), expireTime: timestampFromDate(new Date(clock.getTime() - 1)) },
      }),
    );
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.violations.map((v) => v.field)).toEqual(["key.tenant", "key.roles", "key.tier", "key.description", "key.expire_time"]);
    expect(error.violations.find((v) => v.field === "key.tier")?.description).toMatch(/is not a tier: give at most 63 letters/);
    const unknownRole = await rpcErrorOf(registry.client.createApiKey({ key: { tenant: "acme", roles: [99 as Role] } }));
    expect(unknownRole.violations).toEqual([{ field: "key.roles", description: expect.stringContaining("not a role") }]);
    expect((await rpcErrorOf(registry.client.createApiKey({}))).violations.map((v) => v.field)).toEqual(["key.tenant", "key.roles"]);
  });
});
