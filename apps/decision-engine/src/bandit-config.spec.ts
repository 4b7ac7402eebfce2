import { describe, expect, it } from "@jest/globals";
import { ConfigError } from "@modelrouter/config";
import { loadConfig } from "./config.js";

describe("how often the decision engine polls what the bandits learned", () => {
  it("is every 2 seconds unless MODELROUTER_DECISION_BANDIT_INTERVAL says otherwise", () => {
    expect(loadConfig({}).banditIntervalMs).toBe(2000);
    expect(loadConfig({ MODELROUTER_DECISION_BANDIT_INTERVAL: "500ms" }).banditIntervalMs).toBe(500);
  });

  it("rejects an interval out of bounds, naming the variable and the range", () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ MODELROUTER_DECISION_BANDIT_INTERVAL: "10ms" });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toEqual(['MODELROUTER_DECISION_BANDIT_INTERVAL="10ms": expected a duration from 100ms to 5m']);
  });
});
