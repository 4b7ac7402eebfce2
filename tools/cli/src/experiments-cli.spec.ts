import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "@jest/globals";
import { ExperimentMetric, ExperimentStatusSchema, ExperimentVerdict } from "@modelrouter/contracts";
import { experimentTable } from "./experiment-table.js";
import { capture } from "./io.test-support.js";
import { main } from "./main.js";

const arms = [
  { model: { name: "digits-general", version: "" }, samples: 120n, mean: 0.9, requests: 130n, errors: 0n },
  { model: { name: "digits-lite", version: "2" }, samples: 41n, mean: 0.95, requests: 50n, errors: 2n },
];

describe("experiments list", () => {
  it("prints each experiment's arms, p-values, effects and why it has not decided, or its verdict", () => {
    const lines = experimentTable([
      create(ExperimentStatusSchema, {
        name: "lite-trial",
        policy: "digits",
        rule: "free",
        metric: ExperimentMetric.ACCURACY,
        revision: 12n,
        arms,
        pValues: [0.3125],
        effects: [0.05],
        note: "digits-lite@2 has 41 of 100 samples",
      }),
      create(ExperimentStatusSchema, {
        name: "digits/default",
        policy: "digits",
        metric: ExperimentMetric.LATENCY,
        revision: 7n,
        arms: [{ ...arms[0], mean: 12.25 }, { ...arms[1], mean: 9.5 }],
        pValues: [0.0004],
        effects: [-2.75],
        outcome: {
          verdict: ExperimentVerdict.PROMOTED,
          challenger: { name: "digits-lite", version: "2" },
          reason: "latency 9.5 vs 12.3 (-2.8), always-valid p = 4.0e-4 ≤ 0.050",
          time: timestampFromMs(Date.UTC(2026, 11, 7, 1, 0, 0)),
          fromRevision: 7n,
        },
      }),
    ]);
    expect(lines).toEqual([
      "EXPERIMENT      POLICY/RULE       METRIC    REVISION  ARMS                                                                      P-VALUE  EFFECT  STATUS",
      "lite-trial      digits/free       accuracy  12        digits-general 0.900 (n=120) vs digits-lite@2 0.950 (n=41, 2/50 failed)   0.313    +0.050  running: digits-lite@2 has 41 of 100 samples",
      "digits/default  digits/(default)  latency   7         digits-general 12.3ms (n=120) vs digits-lite@2 9.5ms (n=41, 2/50 failed)  4.0e-4   -2.750  promoted digits-lite 2026-12-07T01:00:00.000Z: latency 9.5 vs 12.3 (-2.8), always-valid p = 4.0e-4 ≤ 0.050",
    ]);
  });

  it.each([
    [["frobnicate"], 'experiments: unknown action "frobnicate" (say list)'],
    [["list", "--output", "yaml"], "--output yaml: expected table (the default) or json"],
  ])("refuses experiments %j before calling (exit 2)", async (args, message) => {
    const io = capture();
    expect(await main(["--registry", "127.0.0.1:9", "experiments", ...args], io, {})).toBe(2);
    expect(io.errText()).toContain(message);
  });
});
