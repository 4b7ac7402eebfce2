import { describe, expect, it } from "@jest/globals";
import { EnvReader } from "@modelrouter/config";
import { readRegistryConfig } from "../registry-component.js";

describe("MODELROUTER_EXPERIMENT_INTERVAL", () => {
  it("looks at experiments every 10 s by default, at the duration given, and never with 0", () => {
    const read = (vars: Record<string, string>) => {
      const env = new EnvReader(vars);
      const config = readRegistryConfig(env, "/srv/app");
      env.done();
      return config.experimentIntervalMs;
    };
    expect(read({})).toBe(10_000);
    expect(read({ MODELROUTER_EXPERIMENT_INTERVAL: "500ms" })).toBe(500);
    expect(read({ MODELROUTER_EXPERIMENT_INTERVAL: "1m" })).toBe(60_000);
    expect(read({ MODELROUTER_EXPERIMENT_INTERVAL: "0" })).toBe(0);
  });

  it("names the variable when it is not a duration", () => {
    const env = new EnvReader({ MODELROUTER_EXPERIMENT_INTERVAL: "often" });
    readRegistryConfig(env, "/srv/app");
    expect(() => env.done()).toThrow(/MODELROUTER_EXPERIMENT_INTERVAL="often": expected a duration/);
  });
});
