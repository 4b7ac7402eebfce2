import { describe, expect, it } from "@jest/globals";
import { CandidateRole, Strategy } from "@modelrouter/contracts";
import {
  DIGIT_MODELS,
  SimulatedBandit,
  banditPolicy,
  banditViolations,
  decideBandit,
  shareOfA,
} from "./bandit-fixtures.test-support.js";
import { seededRandom } from "./strategy-fixtures.test-support.js";

describe("compiling STRATEGY_BANDIT", () => {
  it("accepts a bandit without settings and one with features of type double, int and bool", () => {
    expect(banditViolations(Strategy.BANDIT, undefined)).toEqual([]);
    expect(
      banditViolations(Strategy.BANDIT, {
        features: ["input.image.width <= 16", "input.image.sharpness", "input.image.width"],
        minShare: 0.05,
        maxExploration: 0.3,
      }),
    ).toEqual([]);
  });

  it("names the field of each wrong setting and says how to fix it", () => {
    const problems = banditViolations(Strategy.BANDIT, {
      features: ["input.image.format", "input.image.widht > 3", ""],
      reward: "feedback.correct",
      minShare: 0.6,
      maxExploration: 1.5,
    });
    expect(problems).toEqual([
      expect.stringMatching(/^default_route\.bandit\.features\[0\]: has type string, but a feature must be a double, an int or a bool/),
      expect.stringMatching(/^default_route\.bandit\.features\[1\]: /),
      expect.stringMatching(/^default_route\.bandit\.features\[2\]: is empty/),
      expect.stringMatching(/^default_route\.bandit\.reward: has type bool, but a reward must be a double/),
      expect.stringMatching(/^default_route\.bandit\.min_share: is 0.6: give a share in \[0, 1\/2\]/),
      expect.stringMatching(/^default_route\.bandit\.max_exploration: is 1.5: give a probability in \[0, 1\]/),
    ]);
  });

  it("refuses more than 16 features", () => {
    const features = Array.from({ length: 17 }, (_, i) => `input.image.width > ${i}`);
    expect(banditViolations(Strategy.BANDIT, { features })).toEqual([
      expect.stringMatching(/^default_route\.bandit\.features: has 17 features; a bandit may declare at most 16/),
    ]);
  });

  it("refuses a bandit on another strategy", () => {
    expect(banditViolations(Strategy.WEIGHTED, { features: [] })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^default_route\.bandit: is set, but only STRATEGY_BANDIT uses it/)]),
    );
  });
});

describe("a bandit's decision", () => {
  it("names the bandit by policy, rule and a digest of its features, and records the features", () => {
    const policy = banditPolicy({ features: ["input.image.width <= 16", "input.image.width"] });
    const decision = decideBandit(policy, undefined, seededRandom(1), 16).decision;
    expect(decision.bandit).toMatch(/^learner\/default#[0-9a-f]{8}$/);
    expect(decision.features).toEqual([1, 16]);
    const other = decideBandit(banditPolicy({ features: ["input.image.width <= 20"] }), undefined, seededRandom(1)).decision;
    expect(other.bandit).not.toBe(decision.bandit);
  });

  it("splits evenly between arms that learned nothing", () => {
    expect(shareOfA(banditPolicy(undefined), undefined)).toBeCloseTo(0.5, 6);
    expect(shareOfA(banditPolicy({ features: ["input.image.width <= 16"] }), undefined)).toBeCloseTo(0.5, 6);
  });

  it("draws each arm with exactly its propensity, and the propensities sum to 1", () => {
    const bandit = new SimulatedBandit();
    for (let i = 0; i < 30; i++) bandit.learn("digits-a", [], i % 3 === 0 ? 0 : 1);
    for (let i = 0; i < 30; i++) bandit.learn("digits-b", [], i % 2);
    const policy = banditPolicy({ minShare: 0.05 });
    const propensity = new Map<string, number>();
    const drawn = new Map<string, number>();
    const grid = 2000;
    for (let k = 0; k < grid; k++) {
      const decision = decideBandit(policy, bandit.state(), () => (k + 0.5) / grid).decision;
      const name = decision.target?.model?.name ?? "";
      propensity.set(name, decision.propensity);
      drawn.set(name, (drawn.get(name) ?? 0) + 1 / grid);
    }
    expect([...propensity.keys()].sort()).toEqual(["digits-a", "digits-b"]);
    expect([...propensity.values()].reduce((s, p) => s + p, 0)).toBeCloseTo(1, 9);
    for (const [name, p] of propensity) expect(Math.abs((drawn.get(name) ?? 0) - p)).toBeLessThan(1 / grid + 1e-9);
    expect(propensity.get("digits-a")).toBeGreaterThan(0.8);
  });

  it("respects min_share and max_exploration however clear the winner", () => {
    const bandit = new SimulatedBandit();
    for (let i = 0; i < 500; i++) {
      bandit.learn("digits-a", [], 1);
      bandit.learn("digits-b", [], 0);
    }
    expect(1 - shareOfA(banditPolicy({ minShare: 0.1 }), bandit.state())).toBeCloseTo(0.1, 6);
    const unsure = new SimulatedBandit();
    unsure.learn("digits-a", [], 1);
    expect(1 - shareOfA(banditPolicy({ minShare: 0, maxExploration: 0.05 }), unsure.state())).toBeCloseTo(0.05, 6);
  });

  it("explains each candidate's expected reward and probability, the other arm as the fallback", () => {
    const bandit = new SimulatedBandit();
    for (let i = 0; i < 10; i++) bandit.learn("digits-b", [], 1);
    const result = decideBandit(banditPolicy(undefined), bandit.state(), () => 0.99, 28, true);
    const candidates = result.decision.explanation?.candidates ?? [];
    expect(candidates.map((c) => [c.model?.name, CandidateRole[c.role], c.metric])).toEqual([
      ["digits-a", "FALLBACK", "expected_reward"],
      ["digits-b", "TARGET", "expected_reward"],
    ]);
    expect(candidates[1]?.score).toBeCloseTo(11 / 12, 9);
    expect(candidates[1]?.reason).toMatch(/expected reward 0\.917 after 10 pulls/);
    expect(result.fallbacks.map((m) => m.name)).toEqual(["digits-a"]);
    expect(DIGIT_MODELS).toHaveLength(2);
  });
});

describe("a contextual bandit learning from feedback", () => {
  it("learns that digits-b answers narrow images and digits-a wide ones", () => {
    const policy = banditPolicy({ features: ["input.image.width <= 16"] });
    const bandit = new SimulatedBandit();
    const random = seededRandom(7);
    const accuracy: Record<string, readonly [number, number]> = { "digits-a": [0.95, 0.55], "digits-b": [0.8, 0.9] };
    for (let round = 0; round < 1500; round++) {
      const narrow = random() < 0.5;
      const decision = decideBandit(policy, bandit.state(), random, narrow ? 16 : 28).decision;
      const name = decision.target?.model?.name ?? "";
      const p = (accuracy[name] as readonly [number, number])[narrow ? 1 : 0];
      bandit.learn(name, decision.features, random() < p ? 1 : 0);
    }
    expect(shareOfA(policy, bandit.state(), 28)).toBeGreaterThan(0.9);
    expect(shareOfA(policy, bandit.state(), 16)).toBeLessThan(0.1);
  });

  it("without features, settles on the arm that is better on average", () => {
    const policy = banditPolicy(undefined);
    const bandit = new SimulatedBandit();
    const random = seededRandom(11);
    const accuracy: Record<string, number> = { "digits-a": 0.7, "digits-b": 0.85 };
    for (let round = 0; round < 300; round++) {
      const name = decideBandit(policy, bandit.state(), random).decision.target?.model?.name ?? "";
      bandit.learn(name, [], random() < (accuracy[name] as number) ? 1 : 0);
    }
    expect(shareOfA(policy, bandit.state())).toBeLessThan(0.15);
  });
});
