import { describe, expect, it } from "@jest/globals";
import { betaPosterior, logGamma, normalPosterior } from "./bandit-distributions.js";
import { linearModel } from "./bandit-posterior.js";
import { betaCdf, boundedShares, emptyBanditArm, learnBanditReward, normalCdf, probabilitiesOfBest } from "./index.js";

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** P(X > Y) for X ~ Beta(a1, b1), Y ~ Beta(a2, b2) with integer a1, exactly (Evan Miller's closed form). */
function betaBeats(a1: number, b1: number, a2: number, b2: number): number {
  let total = 0;
  for (let i = 0; i < a1; i++) {
    total += Math.exp(logBeta(a2 + i, b1 + b2) - Math.log(b1 + i) - logBeta(1 + i, b1) - logBeta(a2, b2));
  }
  return total;
}

describe("the bandit's probability that each arm is the best", () => {
  it("matches the exact P(X > Y) of two Beta posteriors, small and large", () => {
    for (const [a1, b1, a2, b2] of [
      [2, 1, 1, 1],
      [31, 11, 21, 21],
      [5, 3, 4, 2],
      [900, 101, 880, 121],
    ] as const) {
      const [p] = probabilitiesOfBest([betaPosterior(a1, b1), betaPosterior(a2, b2)]);
      expect(Math.abs((p as number) - betaBeats(a1, b1, a2, b2))).toBeLessThan(1e-3);
    }
    expect(betaBeats(2, 1, 1, 1)).toBeCloseTo(2 / 3, 9);
  });

  it("matches Φ((μ1 − μ2)/√(σ1² + σ2²)) for two normals, also when one is far narrower than the other", () => {
    for (const [m1, s1, m2, s2] of [
      [0.6, 0.1, 0.5, 0.1],
      [0.7, 0.01, 0.5, 0.3],
      [0.2, 0.5, 0.3, 0.005],
    ] as const) {
      const [p] = probabilitiesOfBest([normalPosterior(m1, s1), normalPosterior(m2, s2)]);
      expect(Math.abs((p as number) - normalCdf((m1 - m2) / Math.hypot(s1, s2)))).toBeLessThan(2e-3);
    }
  });

  it("gives equal arms equal probabilities, summing to 1", () => {
    const p = probabilitiesOfBest([betaPosterior(3, 4), betaPosterior(3, 4), betaPosterior(3, 4)]);
    for (const value of p) expect(value).toBeCloseTo(1 / 3, 6);
  });

  it("computes the Beta distribution function exactly enough", () => {
    expect(betaCdf(0.5, 1, 1)).toBeCloseTo(0.5, 12);
    expect(betaCdf(0.3, 2, 1)).toBeCloseTo(0.09, 12);
    expect(betaCdf(0.5, 50, 50)).toBeCloseTo(0.5, 10);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
  });
});

describe("the bounds on the bandit's choice", () => {
  const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);

  it("floors every arm at min_share and keeps the sum 1", () => {
    const shares = boundedShares([0.998, 0.001, 0.001], 0, 0.05, 1);
    expect(Math.min(...shares)).toBeGreaterThanOrEqual(0.05);
    expect(sum(shares)).toBeCloseTo(1, 12);
  });

  it("caps the probability off the greedy arm at max_exploration, floor included", () => {
    const shares = boundedShares([0.4, 0.35, 0.25], 0, 0.02, 0.1);
    expect(1 - (shares[0] as number)).toBeCloseTo(0.1, 12);
    expect(Math.min(...shares)).toBeGreaterThanOrEqual(0.02);
    expect((shares[1] as number) / (shares[2] as number)).toBeGreaterThan(1);
    expect(sum(shares)).toBeCloseTo(1, 12);
  });

  it("leaves probabilities within both bounds unchanged", () => {
    expect(boundedShares([0.7, 0.3], 0, 0, 1)).toEqual([0.7, 0.3]);
  });

  it("splits evenly at min_share 1/k, and lets the floor win when max_exploration is below it", () => {
    expect(boundedShares([0.9, 0.1], 0, 0.5, 1)).toEqual([0.5, 0.5]);
    const shares = boundedShares([0.5, 0.5], 0, 0.2, 0.1);
    expect(shares[1]).toBeCloseTo(0.2, 12);
  });
});

describe("the linear posterior's scale", () => {
  const learned = (rewards: readonly number[]) => {
    let arm = emptyBanditArm(2);
    rewards.forEach((r, i) => (arm = learnBanditReward(arm, [i % 2], r)));
    return linearModel(arm, 2);
  };

  it("starts at 0.5 and shrinks towards the residual sd as rewards agree with the model", () => {
    expect(linearModel(undefined, 2).scale).toBe(0.5);
    const consistent = learned(Array.from({ length: 200 }, () => 1));
    expect(consistent.scale).toBeLessThan(0.15);
    const coinFlips = learned(Array.from({ length: 200 }, (_, i) => (Math.floor(i / 2) % 2 === 0 ? 1 : 0)));
    expect(coinFlips.scale).toBeGreaterThan(0.45);
    expect(coinFlips.scale).toBeLessThan(0.51);
  });
});
