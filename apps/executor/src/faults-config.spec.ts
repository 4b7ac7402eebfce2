import { describe, expect, it } from "@jest/globals";
import { ConfigError } from "@modelrouter/config";
import { Code } from "@modelrouter/rpc-kit";
import { loadConfig } from "./config.js";

describe("the executor's fault injection setting", () => {
  it("is off by default", () => {
    expect(loadConfig({}, "/srv").faults).toEqual([]);
  });

  it("reads the rules of MODELROUTER_EXECUTOR_FAULTS", () => {
    const faults = '[{"model":"digits-lite","version":"","abort":{"share":0.5,"code":"UNAVAILABLE"}}]';
    expect(loadConfig({ MODELROUTER_EXECUTOR_FAULTS: faults }, "/srv").faults).toEqual([
      { model: "digits-lite", version: "", abort: { share: 0.5, code: Code.UNAVAILABLE } },
    ]);
  });

  it("refuses to start with an invalid rule, naming the entry and field", () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ MODELROUTER_EXECUTOR_FAULTS: '[{"model":"digits-lite","abort":{"share":0.5,"code":"DOWN"}}]' }, "/srv");
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^MODELROUTER_EXECUTOR_FAULTS\[0\]\.abort\.code is "DOWN"/)]);
  });
});
