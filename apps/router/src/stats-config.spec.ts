import { describe, expect, it } from "@jest/globals";
import { problems } from "./config-problems.test-support.js";
import { loadConfig } from "./config.js";


describe("the router's live statistics settings", () => {
  it("reports every second by default", () => {
    expect(loadConfig({}, "/srv").statsIntervalMs).toBe(1000);
  });

  it("reads MODELROUTER_STATS_INTERVAL as a duration, 0 turning live statistics off", () => {
    expect(loadConfig({ MODELROUTER_STATS_INTERVAL: "5s" }, "/srv").statsIntervalMs).toBe(5000);
    expect(loadConfig({ MODELROUTER_STATS_INTERVAL: "250ms" }, "/srv").statsIntervalMs).toBe(250);
    expect(loadConfig({ MODELROUTER_STATS_INTERVAL: "0" }, "/srv").statsIntervalMs).toBe(0);
  });

  it("refuses an interval under 100 ms or over a minute, naming the variable and the range", () => {
    expect(problems({ MODELROUTER_STATS_INTERVAL: "10ms" })).toEqual([
      "MODELROUTER_STATS_INTERVAL: 10 ms is out of range; expected 0 (off) or a duration from 100ms to 1m, for example 1s",
    ]);
    expect(problems({ MODELROUTER_STATS_INTERVAL: "2m" })).toEqual([expect.stringContaining("MODELROUTER_STATS_INTERVAL: 120000 ms is out of range")]);
    expect(problems({ MODELROUTER_STATS_INTERVAL: "often" })).toEqual([expect.stringContaining('MODELROUTER_STATS_INTERVAL="often": expected a duration')]);
  });
});
