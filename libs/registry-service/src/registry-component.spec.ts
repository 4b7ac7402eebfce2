import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ConfigError, EnvReader } from "@modelrouter/config";
import { RegistryService } from "@modelrouter/contracts";
import { createDirectClient } from "@modelrouter/rpc-kit";
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
});
