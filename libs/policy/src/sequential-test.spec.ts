import { describe, expect, it } from "@jest/globals";
import {
  ACCURACY_TAU,
  SampleAccumulator,
  assessExperiment,
  compareArms,
  logMixtureRatio,
  runningPValue,
  type ExperimentArmFigures,
  type ExperimentTestSettings,
} from "./index.js";
import { seededRandom } from "./strategy-fixtures.test-support.js";

function bernoulli(samples: number, successes: number) {
  const mean = successes / samples;
  return { samples, mean, variance: (samples * mean * (1 - mean)) / (samples - 1) };
}

function arm(label: string, samples: number, mean: number, variance: number, requests = samples, errors = 0): ExperimentArmFigures {
  return { label, samples, mean, variance, requests, errors };
}

const accuracy: ExperimentTestSettings = { metric: "accuracy", minSamples: 100, alpha: 0.05, maxErrorRate: undefined, minEffect: 0 };

describe("the mixture sequential probability ratio test", () => {
  it("computes Λ by the closed form of Johari et al. for known values", () => {
    // Δ = 0.1, V = 0.01, τ = 0.1: Λ = √(0.01/0.02) · exp(0.01·0.01 / (2·0.01·0.02)) = 0.7071 · e^0.25
    expect(Math.exp(logMixtureRatio(0.1, 0.01, 0.1))).toBeCloseTo(Math.SQRT1_2 * Math.exp(0.25), 10);
    // No observed difference: Λ = √(V/(V+τ²)) < 1, evidence for the null
    expect(Math.exp(logMixtureRatio(0, 0.01, 0.1))).toBeCloseTo(Math.SQRT1_2, 10);
  });

  it("gives p = 1 while an arm has no samples and a small p for a large, well-measured difference", () => {
    expect(compareArms("accuracy", { samples: 0, mean: 0, variance: 0 }, bernoulli(100, 90)).pValue).toBe(1);
    const clear = compareArms("accuracy", bernoulli(500, 400), bernoulli(500, 460));
    expect(clear.effect).toBeCloseTo(0.12, 10);
    expect(clear.tau).toBe(ACCURACY_TAU);
    expect(clear.pValue).toBeLessThan(1e-4);
  });

  it("is not fooled by a small difference in a small sample", () => {
    expect(compareArms("accuracy", bernoulli(50, 40), bernoulli(50, 42)).pValue).toBe(1);
  });

  it("handles arms that were always right or always wrong", () => {
    const result = compareArms("accuracy", bernoulli(20, 0), { samples: 20, mean: 1, variance: 0 });
    expect(result.pValue).toBeLessThan(1e-6);
  });

  it("keeps the running minimum of the p-values across looks", () => {
    expect(runningPValue(undefined, 0.4)).toBe(0.4);
    expect(runningPValue(0.1, 0.4)).toBe(0.1);
    expect(runningPValue(0.1, 0.01)).toBe(0.01);
  });

  it("keeps its false-promotion rate within alpha when looked at after every sample (seeded simulation)", () => {
    const random = seededRandom(11);
    const experiments = 200;
    let decided = 0;
    for (let e = 0; e < experiments; e += 1) {
      const control = new SampleAccumulator();
      const challenger = new SampleAccumulator();
      for (let n = 0; n < 1_000; n += 1) {
        control.add(random() < 0.8 ? 1 : 0);
        challenger.add(random() < 0.8 ? 1 : 0);
        if (n + 1 < 20) continue;
        const verdict = assessExperiment({ ...accuracy, minSamples: 20 }, [
          arm("control", n + 1, control.sample().mean, control.sample().variance),
          arm("challenger", n + 1, challenger.sample().mean, challenger.sample().variance),
        ]).decision;
        if (verdict.kind !== "undecided") {
          decided += 1;
          break;
        }
      }
    }
    expect(decided / experiments).toBeLessThanOrEqual(0.05);
  });
});

describe("an experiment's verdict", () => {
  it("waits for min_samples on every arm and says which arm is short", () => {
    const decision = assessExperiment(accuracy, [arm("a@1", 100, 0.5, 0.25), arm("b@1", 41, 1, 0)]).decision;
    expect(decision).toEqual({ kind: "undecided", note: "b@1 has 41 of 100 samples" });
  });

  it("promotes a challenger better with confidence, with the evidence in one line", () => {
    const decision = assessExperiment(accuracy, [arm("a@1", 400, 0.8, 0.16), arm("b@1", 400, 0.92, 0.074)]).decision;
    expect(decision).toMatchObject({ kind: "promote", challenger: 1 });
    expect(decision.kind === "promote" && decision.reason).toMatch(
      /^accuracy 0\.920 vs 0\.800 \(\+0\.120\), always-valid p = .* ≤ 0\.050$/,
    );
  });

  it("does not promote an improvement smaller than min_effect and says so", () => {
    const decision = assessExperiment({ ...accuracy, minEffect: 0.2 }, [
      arm("a@1", 2000, 0.8, 0.16),
      arm("b@1", 2000, 0.9, 0.09),
    ]).decision;
    expect(decision.kind).toBe("undecided");
    expect(decision.kind === "undecided" && decision.note).toMatch(/b@1: \+0\.100/);
  });

  it("rolls back a challenger worse with confidence", () => {
    const decision = assessExperiment(accuracy, [arm("a@1", 400, 0.92, 0.074), arm("b@1", 400, 0.8, 0.16)]).decision;
    expect(decision).toMatchObject({ kind: "rollback", challenger: 1 });
  });

  it("rolls back a challenger that fails more than max_error_rate after min_samples requests", () => {
    const settings = { ...accuracy, minSamples: 20, maxErrorRate: 0.2 };
    const early = assessExperiment(settings, [arm("a@1", 0, 0, 0, 19), arm("b@1", 0, 0, 0, 19, 10)]).decision;
    expect(early.kind).toBe("undecided");
    const decision = assessExperiment(settings, [arm("a@1", 0, 0, 0, 20), arm("b@1", 0, 0, 0, 20, 10)]).decision;
    expect(decision).toMatchObject({ kind: "rollback", challenger: 1 });
    expect(decision.kind === "rollback" && decision.reason).toBe("b@1 failed 10 of 20 requests (50.0 %), more than max_error_rate 0.2");
  });

  it("treats lower latency as better", () => {
    const latency = { ...accuracy, metric: "latency" as const, minSamples: 50 };
    const faster = assessExperiment(latency, [arm("a@1", 200, 40, 25), arm("b@1", 200, 30, 25)]).decision;
    expect(faster).toMatchObject({ kind: "promote", challenger: 1 });
    const slower = assessExperiment(latency, [arm("a@1", 200, 30, 25), arm("b@1", 200, 40, 25)]).decision;
    expect(slower).toMatchObject({ kind: "rollback", challenger: 1 });
  });

  it("splits alpha among several challengers and promotes the largest improvement", () => {
    const result = assessExperiment(accuracy, [
      arm("a@1", 1000, 0.8, 0.16),
      arm("b@1", 1000, 0.86, 0.12),
      arm("c@1", 1000, 0.9, 0.09),
    ]);
    expect(result.comparisons).toHaveLength(2);
    expect(result.decision).toMatchObject({ kind: "promote", challenger: 2 });
    expect(result.decision.kind === "promote" && result.decision.reason).toMatch(/≤ 0\.025$/);
  });
});
