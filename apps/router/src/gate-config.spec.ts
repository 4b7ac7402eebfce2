import { describe, expect, it } from "@jest/globals";
import { DEFAULT_ADAPTIVE_CONCURRENCY, DEFAULT_TENANT_LIMIT } from "@modelrouter/router-service";
import { problems } from "./config-problems.test-support.js";
import { loadConfig } from "./config.js";

describe("the router's gate settings (tenant limits, admission control, tiers)", () => {
  it("defaults to finite tenant limits, adaptive admission and the tiers premium, standard, free", () => {
    expect(loadConfig({}, "/srv").gate).toEqual({
      tenants: { defaults: DEFAULT_TENANT_LIMIT, overrides: new Map() },
      admission: DEFAULT_ADAPTIVE_CONCURRENCY,
      tiers: ["premium", "standard", "free"],
    });
    expect(DEFAULT_TENANT_LIMIT).toEqual({ ratePerSecond: 1000, burst: 2000, concurrency: 512 });
  });

  it("reads every variable", () => {
    const { gate } = loadConfig(
      {
        MODELROUTER_TENANT_LIMITS: "*=50/s,burst=100,concurrency=64;acme=500/s,burst=1000,concurrency=256",
        MODELROUTER_ADMISSION_MIN_CONCURRENCY: "4",
        MODELROUTER_ADMISSION_MAX_CONCURRENCY: "64",
        MODELROUTER_ADMISSION_LATENCY_TOLERANCE: "1.5",
        MODELROUTER_TIERS: "gold, silver",
      },
      "/srv",
    );
    expect(gate).toEqual({
      tenants: { defaults: { ratePerSecond: 50, burst: 100, concurrency: 64 }, overrides: new Map([["acme", { ratePerSecond: 500, burst: 1000, concurrency: 256 }]]) },
      admission: { ...DEFAULT_ADAPTIVE_CONCURRENCY, minLimit: 4, maxLimit: 64, tolerance: 1.5 },
      tiers: ["gold", "silver"],
    });
  });

  it("turns admission control off with MODELROUTER_ADMISSION=off (tenant limits still apply)", () => {
    expect(loadConfig({ MODELROUTER_ADMISSION: "off" }, "/srv").gate.admission).toBeUndefined();
  });

  it("names the variable and the fix of every bad value", () => {
    expect(
      problems({
        MODELROUTER_TENANT_LIMITS: "acme=lots",
        MODELROUTER_ADMISSION: "maybe",
        MODELROUTER_ADMISSION_MIN_CONCURRENCY: "50",
        MODELROUTER_ADMISSION_MAX_CONCURRENCY: "10",
        MODELROUTER_ADMISSION_LATENCY_TOLERANCE: "1",
        MODELROUTER_TIERS: "gold,gold",
      }),
    ).toEqual([
      expect.stringMatching(/^MODELROUTER_TENANT_LIMITS: entry "acme=lots": the rate "lots" must be a positive number .*; expected entries separated by ";"/),
      'MODELROUTER_ADMISSION="maybe": expected one of adaptive, off',
      "MODELROUTER_ADMISSION_MAX_CONCURRENCY: must not be below MODELROUTER_ADMISSION_MIN_CONCURRENCY (50); raise it or lower the minimum",
      'MODELROUTER_ADMISSION_LATENCY_TOLERANCE="1": expected a number from 1.1 to 100',
      'MODELROUTER_TIERS: give the service tiers from the highest to the lowest, each once, comma-separated, e.g. "premium,standard,free"',
    ]);
  });
});
