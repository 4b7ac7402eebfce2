import { describe, expect, it } from "@jest/globals";
import { problems } from "./config-problems.test-support.js";
import { loadConfig } from "./config.js";


describe("the router's shadow settings", () => {
  it("runs at most 32 shadows at once by default, each within the router's maximum deadline", () => {
    expect(loadConfig({ MODELROUTER_MAX_DEADLINE: "20s" }, "/srv").shadows).toEqual({ maxInFlight: 32, maxDeadlineMs: 20_000 });
  });

  it("reads MODELROUTER_SHADOW_MAX_IN_FLIGHT, 0 turning shadows off", () => {
    expect(loadConfig({ MODELROUTER_SHADOW_MAX_IN_FLIGHT: "0" }, "/srv").shadows.maxInFlight).toBe(0);
    expect(loadConfig({ MODELROUTER_SHADOW_MAX_IN_FLIGHT: "500" }, "/srv").shadows.maxInFlight).toBe(500);
  });

  it.each(["-1", "many", "1.5"])("refuses MODELROUTER_SHADOW_MAX_IN_FLIGHT=%s, naming it", (value) => {
    expect(problems({ MODELROUTER_SHADOW_MAX_IN_FLIGHT: value })).toEqual([expect.stringContaining("MODELROUTER_SHADOW_MAX_IN_FLIGHT")]);
  });
});
