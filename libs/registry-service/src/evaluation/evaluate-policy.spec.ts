import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  ExperimentMetric,
  InputProfileSchema,
  Modality,
  PolicySchema,
  Strategy,
  EvaluatePolicyRequestSchema,
  type Policy,
  type PolicyEstimate,
} from "@modelrouter/contracts";
import { seededRandom } from "@modelrouter/policy";
import { Code } from "@modelrouter/rpc-kit";
import { evaluatePolicy, evaluationBounds } from "./evaluate-policy.js";
import { parseEvaluatePolicy } from "./evaluate-policy-request.js";
import { backendFor, rpcErrorOf, validDecision, validModel, type Backend, type Registry } from "../registry.test-support.js";

const model = (name: string) => ({ kind: { case: "model" as const, value: { name } } });

function draft(name: string, init: MessageInitShape<typeof PolicySchema>): Policy {
  return create(PolicySchema, { name, ...init });
}

/** The logging policy: a 50/50 split over digits-a and digits-b, at random. */
const split = draft("digits", {
  defaultRoute: { strategy: Strategy.WEIGHTED, targets: [{ ...model("digits-a"), weight: 1 }, { ...model("digits-b"), weight: 1 }] },
});
const alwaysA = draft("digits", { defaultRoute: { targets: [model("digits-a")] } });
const premiumToB = draft("digits", {
  rules: [{ name: "premium", when: 'request.tier == "premium"', route: { targets: [model("digits-b")] } }],
  defaultRoute: { targets: [model("digits-a")] },
});

interface Logged {
  readonly arm: "digits-a" | "digits-b";
  readonly tier: string;
  readonly correct: boolean;
}

/** The registry's clock, fixed: the logged decisions are one second apart before it. */
const NOW = Date.now();

const mean = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

describe("EvaluatePolicy: off-policy evaluation of an unsaved policy on the logged, labelled traffic (pglite)", () => {
  let backend: Backend;
  let registry: Registry;
  const logged: Logged[] = [];
  // True accuracy by arm and tier: digits-a is better for free requests, digits-b for premium ones.
  const accuracy = { "digits-a": { free: 0.9, premium: 0.7 }, "digits-b": { free: 0.6, premium: 0.95 } } as const;

  const evaluate = (policy: Policy, more: Pick<MessageInitShape<typeof EvaluatePolicyRequestSchema>, "window" | "metric" | "maxDecisions"> = {}): Promise<PolicyEstimate> =>
    registry.client.evaluatePolicy({ policy, ...more }).then((response) => response.estimate as PolicyEstimate);

  beforeAll(async () => {
    backend = await backendFor("pglite");
    registry = await backend.openFresh({ store: { now: () => new Date(NOW) } });
    for (const name of ["digits-a", "digits-b", "digits-c"]) await registry.client.registerModel({ model: validModel({ name, version: "1" }) });
    const random = seededRandom(5);
    const now = NOW;
    for (let i = 0; i < 300; i++) {
      const arm = random() < 0.5 ? "digits-a" : "digits-b";
      const tier = random() < 0.5 ? "free" : "premium";
      const correct = random() < accuracy[arm][tier as "free" | "premium"];
      logged.push({ arm, tier, correct });
      const requestId = `logged-${i}`;
      await registry.client.recordDecision({
        decision: validDecision({
          requestId,
          time: timestampFromMs(now - i * 1000),
          model: { name: arm, version: "1" },
          policy: "digits",
          rule: "",
          fallbackUsed: false,
          attempted: [{ name: arm, version: "1" }],
          topLabel: "7",
          propensity: 0.5,
          request: { tier, userId: `user-${i}` },
          input: create(InputProfileSchema, { modality: Modality.IMAGE, mimeType: "image/png", image: { format: "png", width: 28, height: 28 } }),
        }),
      });
      await registry.client.recordFeedback({ requestId, value: { case: "label", value: correct ? "7" : "3" } });
    }
    // Decisions the estimate cannot use: logged before routers recorded the input, or without a propensity, or
    // answered by a fallback, or without feedback.
    const unusable = [
      { requestId: "old-no-input", propensity: 0.5 },
      { requestId: "old-no-propensity", propensity: 0, input: { modality: Modality.IMAGE } },
      { requestId: "fallback", propensity: 0.5, fallbackUsed: true, input: { modality: Modality.IMAGE } },
    ];
    for (const init of unusable) {
      await registry.client.recordDecision({
        decision: validDecision({ ...init, time: timestampFromMs(now), model: { name: "digits-a", version: "1" }, topLabel: "7", fallbackUsed: init.fallbackUsed ?? false }),
      });
      await registry.client.recordFeedback({ requestId: init.requestId, value: { case: "label", value: "7" } });
    }
    await registry.client.recordDecision({ decision: validDecision({ requestId: "no-feedback", propensity: 0.5, fallbackUsed: false, input: { modality: Modality.IMAGE } }) });
  }, 300_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  it("estimates a deterministic draft by the logged decisions it agrees with, and its interval covers the arm's true accuracy", async () => {
    const estimate = await evaluate(alwaysA);
    const onA = logged.filter((l) => l.arm === "digits-a");
    expect(estimate.metric).toBe(ExperimentMetric.ACCURACY);
    expect(Number(estimate.decisions)).toBe(300);
    expect(Number(estimate.matched)).toBe(onA.length);
    // Every weight is 1 / 0.5 = 2 on digits-a's decisions, 0 elsewhere: SNIPS is digits-a's logged accuracy.
    expect(estimate.snips).toBeCloseTo(mean(onA.map((l) => (l.correct ? 1 : 0))), 12);
    expect(estimate.ips).toBeCloseTo((2 * onA.filter((l) => l.correct).length) / 300, 12);
    expect(estimate.effectiveSampleSize).toBeCloseTo(onA.length, 9);
    expect(estimate.logged).toBeCloseTo(mean(logged.map((l) => (l.correct ? 1 : 0))), 12);
    const truth = (accuracy["digits-a"].free + accuracy["digits-a"].premium) / 2;
    expect(estimate.lower).toBeLessThanOrEqual(truth);
    expect(estimate.upper).toBeGreaterThanOrEqual(truth);
    expect(estimate.lower).toBeLessThan(estimate.snips);
    expect(estimate.doublyRobust).toBeCloseTo(estimate.snips, 1);
  });

  it("estimates the logging (weighted, random) policy itself as the logged accuracy, with the whole sample", async () => {
    const estimate = await evaluate(split);
    expect(Number(estimate.matched)).toBe(300);
    expect(estimate.snips).toBeCloseTo(estimate.logged, 12);
    expect(estimate.ips).toBeCloseTo(estimate.logged, 12);
    expect(estimate.effectiveSampleSize).toBeCloseTo(300, 9);
    expect(estimate.lower).toBeLessThanOrEqual(estimate.logged);
    expect(estimate.upper).toBeGreaterThanOrEqual(estimate.logged);
  });

  it("rebuilds what the policies saw of each request: a rule on request.tier is replayed per decision", async () => {
    const estimate = await evaluate(premiumToB);
    const agreeing = logged.filter((l) => (l.tier === "premium" ? "digits-b" : "digits-a") === l.arm);
    expect(Number(estimate.matched)).toBe(agreeing.length);
    expect(estimate.snips).toBeCloseTo(mean(agreeing.map((l) => (l.correct ? 1 : 0))), 12);
    // The better routing for both tiers beats each single model and the 50/50 split.
    const truth = (accuracy["digits-a"].free + accuracy["digits-b"].premium) / 2;
    expect(estimate.lower).toBeLessThanOrEqual(truth);
    expect(estimate.upper).toBeGreaterThanOrEqual(truth);
    expect(estimate.snips).toBeGreaterThan(estimate.logged);
  });

  it("says which decisions it skipped and that the draft was evaluated alone", async () => {
    const { notes } = await evaluate(alwaysA);
    expect(notes).toContainEqual(expect.stringContaining("evaluated alone"));
    expect(notes).toContainEqual(expect.stringContaining("1 decisions were skipped: logged without the input"));
    expect(notes).toContainEqual(expect.stringContaining("1 decisions were skipped: logged without a propensity"));
  });

  it("notes a draft that sends traffic to a model never logged (no support), naming it", async () => {
    const estimate = await evaluate(draft("digits", { defaultRoute: { targets: [model("digits-c")] } }));
    expect(Number(estimate.matched)).toBe(0);
    expect(estimate.notes).toContainEqual(expect.stringContaining("100.0 % of the policy's choices go to models never logged in the window (digits-c@1)"));
    expect(estimate.notes).toContainEqual(expect.stringContaining("the effective sample size is 0.0"));
  });

  it("reads only the newest max_decisions and only the window", async () => {
    const newest = await evaluate(split, { maxDecisions: 100 });
    expect(Number(newest.decisions)).toBe(100);
    expect(newest.logged).toBeCloseTo(mean(logged.slice(0, 100).map((l) => (l.correct ? 1 : 0))), 12);
    expect(newest.notes).toContainEqual(expect.stringContaining("the newest 100 usable decisions were read"));
    const recent = await evaluate(split, { window: durationFromMs(49_500) });
    expect(Number(recent.decisions)).toBe(50);
  });

  it("estimates nothing when no decision in the window has the metric's feedback, and says why", async () => {
    const estimate = await evaluate(split, { metric: ExperimentMetric.REWARD, window: durationFromMs(60_000) });
    expect(Number(estimate.decisions)).toBe(0);
    expect(estimate.metric).toBe(ExperimentMetric.REWARD);
    expect(estimate.notes).toContainEqual(expect.stringContaining("no logged decision in the window has this metric's feedback"));
  });

  it("estimates the mean reward from decisions with reward feedback for the reward metric", async () => {
    const rewards = [
      { arm: "digits-a", reward: 0.8 },
      { arm: "digits-a", reward: 0.4 },
      { arm: "digits-b", reward: 0.1 },
    ];
    for (const [i, { arm, reward }] of rewards.entries()) {
      const requestId = `rewarded-${i}`;
      await registry.client.recordDecision({
        decision: validDecision({
          requestId,
          time: timestampFromMs(NOW - 500_000),
          model: { name: arm, version: "1" },
          fallbackUsed: false,
          propensity: 0.5,
          input: { modality: Modality.IMAGE },
        }),
      });
      await registry.client.recordFeedback({ requestId, value: { case: "reward", value: reward } });
    }
    const estimate = await evaluate(alwaysA, { metric: ExperimentMetric.REWARD });
    expect(Number(estimate.decisions)).toBe(3);
    expect(Number(estimate.matched)).toBe(2);
    expect(estimate.snips).toBeCloseTo(0.6, 12);
    expect(estimate.ips).toBeCloseTo((2 * 0.8 + 2 * 0.4) / 3, 12);
    expect(estimate.logged).toBeCloseTo(1.3 / 3, 12);
  });

  it("stops at the call's deadline and answers with what it read, saying so", async () => {
    const request = parseEvaluatePolicy(create(EvaluatePolicyRequestSchema, { policy: split }));
    const stopped = await evaluatePolicy(registry.store, request, { signal: new AbortController().signal, mustStop: () => true });
    expect(Number(stopped.decisions)).toBe(0);
    expect(stopped.notes).toContainEqual(expect.stringContaining("the call's deadline stopped the work after 0 decisions"));
  });

  it("keeps a fifth of the call's time (at most 2 s) to answer in, and never stops without a deadline", () => {
    const signal = new AbortController().signal;
    let now = 0;
    const clock = () => now;
    const short = evaluationBounds(1_000, signal, clock);
    const long = evaluationBounds(60_000, signal, clock);
    const endless = evaluationBounds(Number.POSITIVE_INFINITY, signal, clock);
    now = 799;
    expect([short.mustStop(), long.mustStop()]).toEqual([false, false]);
    now = 800;
    expect(short.mustStop()).toBe(true);
    now = 57_999;
    expect(long.mustStop()).toBe(false);
    now = 58_000;
    expect([long.mustStop(), endless.mustStop()]).toEqual([true, false]);
  });

  it("refuses a draft that does not compile as ApplyPolicy does, naming the field", async () => {
    const broken = draft("digits", { rules: [{ name: "r", when: "input.modality ==", route: { targets: [model("digits-a")] } }] });
    const error = await rpcErrorOf(registry.client.evaluatePolicy({ policy: broken }));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.message).toContain("policy.rules[0].when");
    expect((await registry.client.listPolicies({})).policies).toEqual([]);
  });

  it("refuses a missing policy, a window over 30 days and the latency metric, naming each field and the fix", async () => {
    const missing = await rpcErrorOf(registry.client.evaluatePolicy({}));
    expect(missing.code).toBe(Code.INVALID_ARGUMENT);
    expect(missing.message).toContain("policy: is required");
    const wrong = await rpcErrorOf(
      registry.client.evaluatePolicy({ policy: alwaysA, window: durationFromMs(31 * 24 * 3_600_000), metric: ExperimentMetric.LATENCY }),
    );
    expect(wrong.code).toBe(Code.INVALID_ARGUMENT);
    expect(wrong.message).toContain("window: is 2678400 s");
    expect(wrong.message).toContain("at most 30 days");
    expect(wrong.message).toContain("metric: is LATENCY");
  });
});
