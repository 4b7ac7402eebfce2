import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ExperimentMetric, PolicyEstimateSchema } from "@modelrouter/contracts";
import { capture } from "./io.test-support.js";
import { main } from "./main.js";
import { estimateLines, evaluationRequestOf } from "./policy-evaluation.js";

const DRAFT = `name: digits
defaultRoute:
  targets: [{ model: { name: digits-general } }]
`;

describe("modelrouter policies evaluate", () => {
  let dir: string;
  let draft: string;
  let two: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "modelrouter-evaluate-"));
    draft = join(dir, "draft.yaml");
    two = join(dir, "two.yaml");
    await writeFile(draft, DRAFT);
    await writeFile(two, `${DRAFT}---\n${DRAFT.replace("name: digits", "name: other")}`);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("sends the draft in -f unsaved, with the window of --since, the metric and the decision limit", () => {
    const request = evaluationRequestOf({ file: draft, since: "7d", metric: "reward", "max-decisions": "5000" });
    expect(request.policy?.name).toBe("digits");
    expect(request.policy?.defaultRoute?.targets[0]?.kind).toEqual({ case: "model", value: expect.objectContaining({ name: "digits-general" }) });
    expect(request.window).toEqual(durationFromMs(7 * 86_400_000));
    expect(request.metric).toBe(ExperimentMetric.REWARD);
    expect(request.maxDecisions).toBe(5000);
    const defaults = evaluationRequestOf({ file: draft });
    expect([defaults.window, defaults.metric, defaults.maxDecisions]).toEqual([undefined, ExperimentMetric.UNSPECIFIED, 0]);
  });

  it("prints the estimate, its interval, the sample sizes, the logged and doubly robust figures, then the notes", () => {
    const lines = estimateLines(
      create(PolicyEstimateSchema, {
        metric: ExperimentMetric.ACCURACY,
        decisions: 300n,
        matched: 151n,
        ips: 0.49,
        snips: 0.9735,
        lower: 0.9477,
        upper: 0.9993,
        effectiveSampleSize: 151,
        logged: 0.943,
        doublyRobust: 0.972,
        notes: ["the policy was evaluated alone"],
      }),
    );
    expect(lines).toEqual([
      "ESTIMATE  95% INTERVAL    ESS    DECISIONS  MATCHED  LOGGED  DOUBLY ROBUST  IPS",
      "97.4%     94.8% .. 99.9%  151.0  300        151      94.3%   97.2%          49.0%",
      "note: the policy was evaluated alone",
    ]);
    const reward = estimateLines(create(PolicyEstimateSchema, { metric: ExperimentMetric.REWARD, decisions: 4n, matched: 0n, logged: 0.25 }));
    expect(reward[1]).toBe("-         -             0.0  4          0        0.250   0.000          0.000");
  });

  it.each([
    [[], "policies evaluate: give the draft policy with -f FILE"],
    [["-f", "/nonexistent/draft.yaml"], "-f /nonexistent/draft.yaml: no such file"],
    [["-f", "DRAFT", "--since", "yesterday"], "--since yesterday: expected how far back to read, from 1s to 30d"],
    [["-f", "DRAFT", "--since", "31d"], "--since 31d: expected how far back to read"],
    [["-f", "DRAFT", "--metric", "latency"], "--metric latency: expected accuracy (label feedback, the default) or reward"],
    [["-f", "DRAFT", "--max-decisions", "0"], "--max-decisions 0: expected a number of decisions from 1 to 100000"],
    [["-f", "TWO"], "holds 2 policies; give a file with exactly the one to evaluate"],
  ])("refuses policies evaluate %j before calling, naming the option and the fix (exit 2)", async (options, message) => {
    const io = capture();
    const args = options.map((option) => (option === "DRAFT" ? draft : option === "TWO" ? two : option));
    expect(await main(["--registry", "127.0.0.1:9", "policies", "evaluate", ...args], io, {})).toBe(2);
    expect(io.errText()).toContain(message);
  });
});
