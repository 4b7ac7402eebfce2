import { describe, expect, it } from "@jest/globals";
import { Strategy } from "@modelrouter/contracts";
import { banditViolations } from "./bandit-fixtures.test-support.js";
import { banditDigest, parseBanditKey, storedBanditReward } from "./index.js";
import { modelTarget, policy } from "./policy-fixtures.test-support.js";

const LATENCY_REWARD = "(feedback.correct ? 1.0 : 0.0) - latency_ms / 100.0";

function stored(reward: string, features: string[] = []) {
  return policy({
    name: "learner",
    rules: [{ name: "scans", when: "true", route: { strategy: Strategy.BANDIT, targets: [modelTarget("a"), modelTarget("b")], bandit: { features, reward } } }],
  });
}

const label = (correct: boolean, latencyMs = 0, cost = 0) => ({
  feedback: { correct, hasLabel: true, reward: 0, hasReward: false },
  latencyMs,
  cost,
});

describe("a bandit's reward expression", () => {
  it("compiles a double over feedback, latency_ms and cost", () => {
    expect(banditViolations(Strategy.BANDIT, { reward: LATENCY_REWARD })).toEqual([]);
    expect(banditViolations(Strategy.BANDIT, { reward: "feedback.has_reward ? feedback.reward : 1.0 - cost / 10.0" })).toEqual([]);
  });

  it("refuses another type and names what a reward may read", () => {
    expect(banditViolations(Strategy.BANDIT, { reward: "latency_ms < 50.0" })).toEqual([
      expect.stringMatching(/^default_route\.bandit\.reward: has type bool, but a reward must be a double/),
    ]);
    expect(banditViolations(Strategy.BANDIT, { reward: "input.size_bytes * 1.0" })).toEqual([
      expect.stringMatching(/^default_route\.bandit\.reward: .*a reward reads `feedback` \(correct, has_label, reward, has_reward\), `latency_ms` and `cost`/),
    ]);
  });

  it("is read back from the stored policy by the bandit's key, clamped to [0, 1]", () => {
    const key = `learner/scans#${banditDigest([], LATENCY_REWARD)}`;
    expect(parseBanditKey(key)).toEqual({ policy: "learner", rule: "scans", digest: banditDigest([], LATENCY_REWARD) });
    const reward = storedBanditReward(stored(LATENCY_REWARD), key);
    expect(reward?.reward(label(true, 20))).toBeCloseTo(0.8, 12);
    expect(reward?.reward(label(false, 20))).toBe(0);
    expect(reward?.reward(label(true, 500))).toBe(0);
  });

  it("is the default (right 1, wrong 0, a reward clamped) when empty", () => {
    const key = `learner/scans#${banditDigest([], "")}`;
    const reward = storedBanditReward(stored(""), key);
    expect(reward?.reward(label(true, 900))).toBe(1);
    expect(reward?.reward({ feedback: { correct: false, hasLabel: false, reward: 3, hasReward: true }, latencyMs: 0, cost: 0 })).toBe(1);
  });

  it("is not found once the policy's bandit changed, or for another policy or rule", () => {
    const key = `learner/scans#${banditDigest([], LATENCY_REWARD)}`;
    expect(storedBanditReward(stored("1.0"), key)).toBeUndefined();
    expect(storedBanditReward(stored(LATENCY_REWARD, ["input.image.width <= 16"]), key)).toBeUndefined();
    expect(storedBanditReward(stored(LATENCY_REWARD), key.replace("learner/", "other/"))).toBeUndefined();
    expect(storedBanditReward(stored(LATENCY_REWARD), key.replace("/scans", "/lowres"))).toBeUndefined();
    expect(parseBanditKey("not a key")).toBeUndefined();
  });
});
