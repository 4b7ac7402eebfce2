import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "@jest/globals";
import { ModelStatsSchema } from "@modelrouter/contracts";
import { capture } from "./io.test-support.js";
import { main } from "./main.js";
import { modelStatsRequestOf, modelStatsTable } from "./model-stats-table.js";

describe("models stats", () => {
  it("prints a row per version with its error rate, percentiles, accuracy, mean reward and shadow agreement, and a row per instance", () => {
    const lines = modelStatsTable([
      create(ModelStatsSchema, {
        model: { name: "digits-lowres", version: "1" },
        requests: 200n,
        errorRate: 0.025,
        p50LatencyMs: 4.2,
        p95LatencyMs: 18.75,
        p99LatencyMs: 1_250,
        labelled: 40n,
        accuracy: 0.9,
        rewarded: 3n,
        meanReward: 0.5,
        instances: [
          { instance: "10.0.0.1:7003", requests: 150n, errorRate: 0, p50LatencyMs: 4, p95LatencyMs: 9, p99LatencyMs: 12 },
          { instance: "10.0.0.2:7003", requests: 50n, errorRate: 0.1, p50LatencyMs: 5, p95LatencyMs: 30, p99LatencyMs: 1_300 },
        ],
      }),
      create(ModelStatsSchema, { model: { name: "digits-general", version: "2" }, labelled: 2n, correct: 1n, accuracy: 0.5 }),
      create(ModelStatsSchema, { model: { name: "digits-lite", version: "1" }, shadowed: 40n, shadowAgreed: 37n, shadowAgreement: 0.925 }),
    ]);
    expect(lines).toEqual([
      "MODEL             REQUESTS  ERROR RATE  P50     P95     P99     ACCURACY (labelled)  MEAN REWARD  SHADOW AGREEMENT",
      "digits-lowres@1   200       2.5%        4.20ms  18.8ms  1.25s   90.0% (40)           0.500 (3)    -",
      "  10.0.0.1:7003   150       0.0%        4.00ms  9.00ms  12.0ms  -                    -            -",
      "  10.0.0.2:7003   50        10.0%       5.00ms  30.0ms  1.30s   -                    -            -",
      "digits-general@2  0         -           -       -       -       50.0% (2)            -            -",
      "digits-lite@1     0         -           -       -       -       -                    -            92.5% (40)",
    ]);
  });

  it("asks for the model and window given, and leaves the window to the registry when none is", () => {
    expect(modelStatsRequestOf("digits-lowres", "90s")).toMatchObject({ model: "digits-lowres", window: durationFromMs(90_000) });
    expect(modelStatsRequestOf(undefined, "2h").window).toEqual(durationFromMs(2 * 3_600_000));
    const unset = modelStatsRequestOf(undefined, undefined);
    expect([unset.model, unset.window]).toEqual(["", undefined]);
  });

  it.each([
    [["--window", "soon"], "--window soon: expected a duration from 1m to 24h"],
    [["--window", "5d"], "--window 5d: expected a duration"],
    [["--output", "yaml"], "--output yaml: expected table (the default) or json"],
  ])("refuses models stats %j before calling, naming the option (exit 2)", async (options, message) => {
    const io = capture();
    expect(await main(["--registry", "127.0.0.1:9", "models", "stats", ...options], io, {})).toBe(2);
    expect(io.errText()).toContain(message);
  });
});
