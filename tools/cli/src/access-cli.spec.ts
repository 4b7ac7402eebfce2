import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { RegistryService } from "@modelrouter/contracts";
import { createRegistryService, openPgliteDatabase, openRegistryStore, type RegistryStore } from "@modelrouter/registry-service/testing";
import { createGrpcServer, serviceRegistration, type GrpcServer } from "@modelrouter/rpc-kit";
import { capture } from "./io.test-support.js";
import { main } from "./main.js";

type Logger = Parameters<typeof openRegistryStore>[0]["logger"];
/** A logger that drops every line. */
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

const KEY = /^mrk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;

describe("modelrouter keys and audit against a registry", () => {
  let store: RegistryStore;
  let server: GrpcServer;
  let registry: string[];

  beforeAll(async () => {
    store = await openRegistryStore({ db: await openPgliteDatabase(), logger: quiet });
    server = createGrpcServer({ services: [serviceRegistration(RegistryService, createRegistryService({ store, logger: quiet }))] });
    registry = ["--registry", `127.0.0.1:${await server.listen("127.0.0.1:0")}`];
  }, 60_000);

  afterAll(async () => {
    await server?.shutdown(100);
    await store?.close();
  });

  const run = async (...args: string[]) => {
    const io = capture();
    const code = await main([...registry, ...args], io, {});
    return { code, out: io.outText(), err: io.errText() };
  };

  it("creates a key, prints it once with a warning, lists it without the secret, and revokes it", async () => {
    const created = await run("keys", "create", "--tenant", "acme", "--role", "client", "--role", "viewer", "--description", "checkout", "--expires", "30d");
    expect(created.code).toBe(0);
    const [, id] = KEY.exec(created.out)!;
    expect(created.err).toContain("the only time the key is shown");

    const listed = await run("keys", "list", "--tenant", "acme");
    expect(listed.out).toMatch(new RegExp(`^ID +TENANT +ROLES +TIER +STATUS[\\s\\S]*\\n${id} +acme +client,viewer +- +active`));
    expect(listed.out).not.toContain(created.out.slice(`mrk_${id!}_`.length));

    expect((await run("keys", "revoke", id!)).out).toContain(`revoked API key ${id} of tenant acme`);
    expect((await run("keys", "list", "--tenant", "acme")).out).not.toContain(id);
    expect((await run("keys", "list", "--tenant", "acme", "--all")).out).toMatch(new RegExp(`${id} +acme +client,viewer +- +revoked`));
  });

  it("creates a key of a service tier and shows the tier in keys list", async () => {
    const created = await run("keys", "create", "--tenant", "initech", "--role", "client", "--tier", "premium");
    expect(created.code).toBe(0);
    const [, id] = KEY.exec(created.out)!;
    expect(created.err).toContain("tier premium");
    expect((await run("keys", "list", "--tenant", "initech")).out).toMatch(new RegExp(`\\n${id} +initech +client +premium +active`));
    const bad = await run("keys", "create", "--tenant", "initech", "--role", "client", "--tier", "gold plus");
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("key.tier");
  });

  it("lists the audit log as a table, newest first, filtered by resource", async () => {
    const created = await run("keys", "create", "--tenant", "globex", "--role", "viewer");
    const [, id] = KEY.exec(created.out)!;
    await run("keys", "revoke", id!);
    const audit = await run("audit", "list", "--resource", `api-key/${id}`, "--since", "1h");
    expect(audit.code).toBe(0);
    expect(audit.out.split("\n").map((line) => line.split(/ +/).slice(1, 5))).toEqual([
      ["ACTOR", "TENANT", "ACTION", "RESOURCE"],
      ["anonymous", "-", "RevokeApiKey", `api-key/${id}`],
      ["anonymous", "-", "CreateApiKey", `api-key/${id}`],
    ]);
    expect((await run("audit", "list", "--resource", `api-key/${id}`, "--limit", "1")).out.split("\n")).toHaveLength(2);
  });

  it("prints the registry's answer, naming the field, for a key it refuses", async () => {
    const refused = await run("keys", "create", "--tenant", "not a tenant", "--role", "client");
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("key.tenant");
    const unknown = await run("keys", "revoke", "0000000000ff");
    expect([unknown.code, unknown.err]).toEqual([1, expect.stringContaining("NOT_FOUND")]);
  });

  it.each([
    [["keys", "create", "--role", "client"], "keys create: give --tenant T"],
    [["keys", "create", "--tenant", "acme"], "keys create: give at least one --role"],
    [["keys", "create", "--tenant", "acme", "--role", "superuser"], "--role superuser: expected one of admin, policy-editor, client, viewer"],
    [["keys", "create", "--tenant", "acme", "--role", "client", "--expires", "soon"], "--expires soon: expected a duration from now"],
    [["keys", "create", "--tenant", "acme", "--role", "client", "--expires", "2001-01-01T00:00:00Z"], "--expires 2001-01-01T00:00:00Z: give a time in the future"],
    [["keys", "revoke"], "keys revoke: give one key id"],
    [["keys", "rotate"], 'keys: unknown action "rotate"'],
    [["audit", "list", "--since", "yesterday"], "--since yesterday: expected a duration before now"],
    [["audit", "list", "--limit", "0"], "--limit 0: expected a whole number from 1 to 10000"],
    [["audit", "show"], 'audit: unknown action "show"'],
  ])("refuses %j before calling, naming the option and the fix (exit 2)", async (args, message) => {
    const io = capture();
    expect(await main(["--registry", "127.0.0.1:9", ...args], io, {})).toBe(2);
    expect(io.errText()).toContain(message);
  });

  it("is listed in the usage", async () => {
    const io = capture();
    expect(await main(["--help"], io, {})).toBe(0);
    expect(io.outText()).toContain("modelrouter keys create --tenant T --role ROLE");
    expect(io.outText()).toContain("modelrouter audit list [--resource PREFIX]");
  });
});
