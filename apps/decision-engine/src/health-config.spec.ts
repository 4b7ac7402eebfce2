import { describe, expect, it } from "@jest/globals";
import { ConfigError } from "@modelrouter/config";
import { loadConfig } from "./config.js";

describe("the decision engine's health window for guarded routes", () => {
  it("is 30 seconds unless MODELROUTER_DECISION_HEALTH_WINDOW says otherwise", () => {
    expect(loadConfig({}).healthWindowMs).toBe(30_000);
    expect(loadConfig({ MODELROUTER_DECISION_HEALTH_WINDOW: "2m" }).healthWindowMs).toBe(120_000);
  });

  it("rejects a window out of bounds, naming the variable and the range", () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ MODELROUTER_DECISION_HEALTH_WINDOW: "1s" });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toEqual(['MODELROUTER_DECISION_HEALTH_WINDOW="1000ms": expected a duration from 5s to 10m']);
  });
});
