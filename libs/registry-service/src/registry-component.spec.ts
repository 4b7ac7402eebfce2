import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ConfigError, EnvReader } from "@modelrouter/config";
import { RegistryService, Role } from "@modelrouter/contracts";
import { parseEgressPolicy } from "@modelrouter/egress";
import { Code, createDirectClient } from "@modelrouter/rpc-kit";
import { startFakeMlflowServer, type FakeMlflowServer } from "./mlflow/fake-mlflow-server.js";
import { memoryLogger, validDecision } from "./registry.test-support.js";
import { readRegistryConfig, startRegistry, type RegistryComponent } from "./registry-component.js";

describe("readRegistryConfig", () => {
  it("keeps decisions 7 days by default, on PGlite under the working directory", () => {
    const env = new EnvReader({});
    expect(readRegistryConfig(env, "/srv/app")).toEqual({
      database: { kind: "pglite", dataDir: "/srv/app/.modelrouter/registry" },
      decisionRetentionMs: 7 * 24 * 3_600_000,
      quotas: { maxModels: 10_000, maxPolicies: 1_000 },
      policyRevisionsKept: 50,
      statsRetentionMs: 24 * 3_600_000,
      maxStatsRows: 1_000_000,
      experimentIntervalMs: 10_000,
    });
    env.done();
  });

  it("reads MODELROUTER_DECISION_RETENTION as a duration, with either database", () => {
    const env = new EnvReader({ MODELROUTER_DECISION_RETENTION: "36h", MODELROUTER_REGISTRY_DATABASE_URL: "postgres://db/registry" });
    expect(readRegistryConfig(env, "/srv/app")).toEqual({
      database: { kind: "postgres", url: "postgres://db/registry" },
      decisionRetentionMs: 36 * 3_600_000,
      quotas: { maxModels: 10_000, maxPolicies: 1_000 },
      policyRevisionsKept: 50,
      statsRetentionMs: 24 * 3_600_000,
      maxStatsRows: 1_000_000,
      experimentIntervalMs: 10_000,
    });
    env.done();
  });

  it("reads how many model versions and policies the registry holds at most", () => {
    const env = new EnvReader({ MODELROUTER_REGISTRY_MAX_MODELS: "50000", MODELROUTER_REGISTRY_MAX_POLICIES: "20" });
    expect(readRegistryConfig(env, "/srv/app").quotas).toEqual({ maxModels: 50_000, maxPolicies: 20 });
    env.done();
  });

  it("reads how long live model statistics are kept and how many minutes of them are held", () => {
    const env = new EnvReader({ MODELROUTER_STATS_RETENTION: "2h", MODELROUTER_REGISTRY_MAX_STATS_ROWS: "5000" });
    const config = readRegistryConfig(env, "/srv/app");
    env.done();
    expect([config.statsRetentionMs, config.maxStatsRows]).toEqual([2 * 3_600_000, 5_000]);
    const tooShort = new EnvReader({ MODELROUTER_STATS_RETENTION: "10s" });
    readRegistryConfig(tooShort, "/srv/app");
    expect(() => tooShort.done()).toThrow(/MODELROUTER_STATS_RETENTION="10s": expected a duration of at least 1m/);
  });

  it("reads how many revisions of one policy the registry keeps", () => {
    const env = new EnvReader({ MODELROUTER_REGISTRY_POLICY_REVISIONS: "5" });
    expect(readRegistryConfig(env, "/srv/app").policyRevisionsKept).toBe(5);
    env.done();
    const none = new EnvReader({ MODELROUTER_REGISTRY_POLICY_REVISIONS: "0" });
    readRegistryConfig(none, "/srv/app");
    expect(() => none.done()).toThrow(/MODELROUTER_REGISTRY_POLICY_REVISIONS="0": expected a whole number from 1 to 10000/);
  });

  it.each([
    ["MODELROUTER_REGISTRY_MAX_MODELS", "lots"],
    ["MODELROUTER_REGISTRY_MAX_POLICIES", "0"],
  ])("reports %s=%s, naming the variable and the range", (name, value) => {
    const env = new EnvReader({ [name]: value });
    readRegistryConfig(env, "/srv/app");
    expect(() => env.done()).toThrow(new RegExp(`${name}="${value}": expected a whole number from 1 to 1000000`));
  });

  it.each([
    ["soon", /MODELROUTER_DECISION_RETENTION="soon": expected a duration/],
    ["30s", /MODELROUTER_DECISION_RETENTION="30s": expected a duration of at least 1m/],
  ])("reports a retention of %s, naming the variable and the fix", (value, problem) => {
    const env = new EnvReader({ MODELROUTER_DECISION_RETENTION: value });
    readRegistryConfig(env, "/srv/app");
    let error: unknown;
    try {
      env.done();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(problem)]);
  });
});

describe("startRegistry", () => {
  const logs: string[] = [];
  let component: RegistryComponent;

  beforeAll(async () => {
    component = await startRegistry({ database: { kind: "pglite" }, decisionRetentionMs: 3_600_000 }, memoryLogger(logs));
  }, 60_000);

  afterAll(async () => {
    await component?.close();
  });

  it("serves the decision log with the configured retention", async () => {
    const client = createDirectClient(RegistryService, component.impl, { defaultTimeoutMs: 30_000 });
    const decision = validDecision({ requestId: "started" });
    await client.recordDecision({ decision });
    expect((await client.getDecision({ requestId: "started" })).decision).toEqual(decision);
    const opened = logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line["msg"] === "registry store open");
    expect(opened).toMatchObject({ decisionRetentionMs: 3_600_000 });
  });

  it("verifies the API keys it creates, without a call to itself", async () => {
    const client = createDirectClient(RegistryService, component.impl, { defaultTimeoutMs: 30_000 });
    const created = await client.createApiKey({ key: { tenant: "acme", roles: [Role.CLIENT] } });
    expect(await component.verifyApiKey(created.secret)).toEqual(created.key);
    await client.revokeApiKey({ id: created.key!.id });
    await expect(component.verifyApiKey(created.secret)).rejects.toMatchObject({ code: Code.UNAUTHENTICATED });
  });
});

describe("startRegistry with an MLflow sync", () => {
  let component: RegistryComponent | undefined;
  let mlflow: FakeMlflowServer | undefined;

  afterAll(async () => {
    await component?.close();
    await mlflow?.close();
  });

  it("audits the sync's writes as the registry's own internal identity", async () => {
    mlflow = await startFakeMlflowServer({
      models: [{ name: "synced", versions: [{ version: "1", tags: { "modelrouter.endpoint": "grpc://triton.models:8001", "modelrouter.modality": "image" } }] }],
    });
    const egress = parseEgressPolicy({ MODELROUTER_EGRESS_ALLOW: "127.0.0.1" }).policy!;
    component = await startRegistry(
      { database: { kind: "pglite" }, decisionRetentionMs: 3_600_000, egress, mlflow: { trackingUri: mlflow.url, intervalMs: 3_600_000 } },
      memoryLogger([]),
    );
    const client = createDirectClient(RegistryService, component.impl, { defaultTimeoutMs: 30_000 });
    let events = (await client.listAuditEvents({ resourcePrefix: "model/synced@" })).events;
    for (let attempt = 0; events.length === 0 && attempt < 200; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      events = (await client.listAuditEvents({ resourcePrefix: "model/synced@" })).events;
    }
    expect(events.map((e) => [e.actor, e.actorTenant, e.action, e.resource])).toEqual([["internal:mlflow-sync", "", "RegisterModel", "model/synced@1"]]);
  }, 60_000);
});
