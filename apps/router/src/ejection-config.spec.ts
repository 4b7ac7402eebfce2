import { describe, expect, it } from "@jest/globals";
import { problems } from "./config-problems.test-support.js";
import { loadConfig } from "./config.js";


describe("the router's ejection settings (the executor instances' circuit breakers)", () => {
  it("ejects after 5 failures in a row or half of 20 attempts in 10 s, for 1 s doubling up to 30 s, at most half the instances", () => {
    expect(loadConfig({}, "/srv").ejection).toEqual({
      consecutiveFailures: 5,
      errorRate: 0.5,
      errorRateWindowMs: 10_000,
      errorRateMinAttempts: 20,
      baseEjectionMs: 1000,
      maxEjectionMs: 30_000,
      forgetAfterMs: 60_000,
      maxEjectedShare: 0.5,
      probes: 1,
    });
  });

  it("reads every MODELROUTER_EJECTION_ variable", () => {
    const config = loadConfig(
      {
        MODELROUTER_EJECTION_CONSECUTIVE_FAILURES: "3",
        MODELROUTER_EJECTION_ERROR_RATE: "0.25",
        MODELROUTER_EJECTION_ERROR_RATE_WINDOW: "30s",
        MODELROUTER_EJECTION_MIN_REQUESTS: "50",
        MODELROUTER_EJECTION_BASE: "2s",
        MODELROUTER_EJECTION_MAX: "2m",
        MODELROUTER_EJECTION_MAX_SHARE: "0",
      },
      "/srv",
    );
    expect(config.ejection).toEqual({
      consecutiveFailures: 3,
      errorRate: 0.25,
      errorRateWindowMs: 30_000,
      errorRateMinAttempts: 50,
      baseEjectionMs: 2000,
      maxEjectionMs: 120_000,
      forgetAfterMs: 240_000,
      maxEjectedShare: 0,
      probes: 1,
    });
  });

  it("names each bad setting, its variable and what to give instead", () => {
    expect(
      problems({
        MODELROUTER_EJECTION_CONSECUTIVE_FAILURES: "0",
        MODELROUTER_EJECTION_ERROR_RATE: "0",
        MODELROUTER_EJECTION_MAX_SHARE: "1.5",
        MODELROUTER_EJECTION_BASE: "10s",
        MODELROUTER_EJECTION_MAX: "5s",
      }),
    ).toEqual(
      expect.arrayContaining([
        'MODELROUTER_EJECTION_CONSECUTIVE_FAILURES="0": expected a whole number from 1 to 10000',
        'MODELROUTER_EJECTION_ERROR_RATE="0": would eject every instance; give a share of failed attempts above 0, up to 1 (the default 0.5)',
        'MODELROUTER_EJECTION_MAX_SHARE="1.5": expected a number from 0 to 1',
        "MODELROUTER_EJECTION_MAX: must not be shorter than MODELROUTER_EJECTION_BASE (10000 ms); raise it or lower the base",
      ]),
    );
    expect(problems({ MODELROUTER_EJECTION_BASE: "0s" })).toEqual(["MODELROUTER_EJECTION_BASE: must be longer than 0, for example 1s"]);
    expect(problems({ MODELROUTER_EJECTION_ERROR_RATE_WINDOW: "a while" })).toEqual([expect.stringContaining('MODELROUTER_EJECTION_ERROR_RATE_WINDOW="a while": expected a duration')]);
  });
});
