import { describe, expect, it } from "@jest/globals";
import { type LoggedOutcome, Z_95, estimateOffPolicy } from "./index.js";
import { seededRandom } from "./strategy-fixtures.test-support.js";

const outcome = (action: string, propensity: number, reward: number, policy: Record<string, number>): LoggedOutcome => ({
  action,
  propensity,
  reward,
  policy: new Map(Object.entries(policy)),
});

describe("off-policy estimates of a policy's mean metric", () => {
  // Logged: a 50/50 split over a and b; evaluated: always a.
  const logged = [
    outcome("a", 0.5, 1, { a: 1 }),
    outcome("a", 0.5, 0, { a: 1 }),
    outcome("b", 0.5, 1, { a: 1 }),
    outcome("b", 0.5, 1, { a: 1 }),
  ];

  it("computes IPS, self-normalised IPS, the effective sample size and the logged mean by their definitions", () => {
    const estimate = estimateOffPolicy(logged);
    // w = 2, 2, 0, 0; Σw·r = 2; n = 4; Σw = 4; Σw² = 8.
    expect(estimate.decisions).toBe(4);
    expect(estimate.matched).toBe(2);
    expect(estimate.ips).toBeCloseTo(0.5, 12);
    expect(estimate.snips).toBeCloseTo(0.5, 12);
    expect(estimate.effectiveSampleSize).toBeCloseTo(2, 12);
    expect(estimate.logged).toBeCloseTo(0.75, 12);
  });

  it("gives the delta-method 95 % interval of the self-normalised estimate: ± z·√(Σw²(r − θ)²) / Σw", () => {
    const estimate = estimateOffPolicy(logged);
    // Σw²(r − 0.5)² = 4·0.25 + 4·0.25 = 2; half-width = z·√2 / 4.
    const half = (Z_95 * Math.SQRT2) / 4;
    expect(estimate.lower).toBeCloseTo(0.5 - half, 12);
    expect(estimate.upper).toBeCloseTo(0.5 + half, 12);
  });

  it("computes the doubly robust estimate with each action's logged mean as the reward model", () => {
    // r̂(a) = 0.5, r̂(b) = 1. Per decision: r̂(a) + w·(r − r̂(logged)) = 0.5 + 2·0.5, 0.5 + 2·(−0.5), 0.5, 0.5.
    expect(estimateOffPolicy(logged).doublyRobust).toBeCloseTo(0.5, 12);
    const mixed = logged.map((o) => ({ ...o, policy: new Map([["a", 0.25], ["b", 0.75]]) }));
    // Σ_a π·r̂ = 0.25·0.5 + 0.75·1 = 0.875; corrections: 0.5·0.5, 0.5·(−0.5), 1.5·0, 1.5·0 → mean 0.875.
    expect(estimateOffPolicy(mixed).doublyRobust).toBeCloseTo(0.875, 12);
  });

  it("estimates the logging policy itself as its logged mean, with every weight 1 and the full sample size", () => {
    const itself = logged.map((o) => ({ ...o, policy: new Map([["a", 0.5], ["b", 0.5]]) }));
    const estimate = estimateOffPolicy(itself);
    expect(estimate.snips).toBeCloseTo(0.75, 12);
    expect(estimate.ips).toBeCloseTo(0.75, 12);
    expect(estimate.doublyRobust).toBeCloseTo(0.75, 12);
    expect(estimate.effectiveSampleSize).toBeCloseTo(4, 12);
    expect(estimate.matched).toBe(4);
  });

  it("reports the share of the policy's choices that fall on actions never logged (no support), by name", () => {
    const elsewhere = logged.map((o) => ({ ...o, policy: new Map([["c", 1]]) }));
    const estimate = estimateOffPolicy(elsewhere);
    expect(estimate.matched).toBe(0);
    expect(estimate.unsupportedShare).toBe(1);
    expect(estimate.unsupportedActions).toEqual(["c"]);
    expect([estimate.snips, estimate.lower, estimate.upper, estimate.effectiveSampleSize]).toEqual([0, 0, 0, 0]);
    // The reward model has nothing on c but the logged mean.
    expect(estimate.doublyRobust).toBeCloseTo(0.75, 12);
  });

  it("gives zeros for no decisions", () => {
    expect(estimateOffPolicy([])).toMatchObject({ decisions: 0, matched: 0, snips: 0, ips: 0, doublyRobust: 0 });
  });

  it("covers the true value of a policy with its 95 % interval in most of 200 simulated logs with known propensities", () => {
    // Contexts: two kinds of request, equally likely. Accuracy of models a, b, c by kind.
    const accuracy: Record<string, [number, number]> = { a: [0.9, 0.6], b: [0.7, 0.85], c: [0.5, 0.95] };
    // Logging policy: by kind, a distribution over a, b, c. Evaluated policy: stochastic on kind 0, deterministic on 1.
    const logging: [number, number, number][] = [
      [0.5, 0.3, 0.2],
      [0.2, 0.4, 0.4],
    ];
    const evaluated: Record<string, number>[] = [{ a: 0.8, b: 0.2 }, { c: 1 }];
    const truth = 0.5 * (0.8 * 0.9 + 0.2 * 0.7) + 0.5 * 0.95;
    const random = seededRandom(11);
    const actions = ["a", "b", "c"];
    let covered = 0;
    let dr = 0;
    const trials = 200;
    for (let trial = 0; trial < trials; trial++) {
      const outcomes: LoggedOutcome[] = [];
      for (let i = 0; i < 400; i++) {
        const kind = random() < 0.5 ? 0 : 1;
        const shares = logging[kind] as [number, number, number];
        const u = random();
        const index = u < shares[0] ? 0 : u < shares[0] + shares[1] ? 1 : 2;
        const action = actions[index] as string;
        const reward = random() < (accuracy[action] as [number, number])[kind] ? 1 : 0;
        outcomes.push(outcome(action, shares[index] as number, reward, evaluated[kind] as Record<string, number>));
      }
      const estimate = estimateOffPolicy(outcomes);
      if (estimate.lower <= truth && truth <= estimate.upper) covered++;
      dr += estimate.doublyRobust / trials;
    }
    expect(covered / trials).toBeGreaterThanOrEqual(0.9);
    expect(covered / trials).toBeLessThan(1);
    expect(Math.abs(dr - truth)).toBeLessThan(0.02);
  });
});
