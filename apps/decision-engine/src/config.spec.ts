import { describe, expect, it } from "@jest/globals";
import { ConfigError } from "@modelrouter/config";
import { loadConfig } from "./config.js";

describe("the decision engine's configuration", () => {
  it("follows the registry on its default address", () => {
    const config = loadConfig({});
    expect(config.listen).toBe("127.0.0.1:50053");
    expect(config.registryAddress).toBe("127.0.0.1:50054");
  });

  it("polls live statistics over 5 minutes every 2 seconds unless told otherwise", () => {
    expect(loadConfig({})).toMatchObject({ statsWindowMs: 300_000, statsIntervalMs: 2000 });
    const moved = loadConfig({ MODELROUTER_DECISION_STATS_WINDOW: "15m", MODELROUTER_DECISION_STATS_INTERVAL: "500ms" });
    expect(moved).toMatchObject({ statsWindowMs: 900_000, statsIntervalMs: 500 });
  });

  it("rejects a statistics window or interval out of bounds, naming the variable and the range", () => {
    const problems = (vars: Record<string, string>): readonly string[] => {
      try {
        loadConfig(vars);
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
      }
      return [];
    };
    expect(problems({ MODELROUTER_DECISION_STATS_WINDOW: "30s" })).toEqual([
      'MODELROUTER_DECISION_STATS_WINDOW="30000ms": expected a duration from 1m to 24h',
    ]);
    expect(problems({ MODELROUTER_DECISION_STATS_INTERVAL: "soon" })).toEqual([
      'MODELROUTER_DECISION_STATS_INTERVAL="soon": expected a duration such as 500ms, 5s, 2m, 6h or 7d',
    ]);
    expect(problems({ MODELROUTER_DECISION_STATS_INTERVAL: "10m" })).toEqual([
      'MODELROUTER_DECISION_STATS_INTERVAL="600000ms": expected a duration from 100ms to 5m',
    ]);
  });

  it("rejects a registry address without a port", () => {
    expect(() => loadConfig({ MODELROUTER_REGISTRY_ADDRESS: "registry" })).toThrow(ConfigError);
  });
});
