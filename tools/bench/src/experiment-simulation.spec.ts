import { describe, expect, it } from "@jest/globals";
import { simulateExperiments, summarise, type SimulationScenario } from "./experiment-simulation.js";

const reward: SimulationScenario = {
  metric: "reward",
  effect: 0.15,
  maxSamples: 1_000,
  settings: { metric: "reward", minSamples: 20, alpha: 0.05, maxErrorRate: undefined, minEffect: 0 },
};

describe("the experiment simulation", () => {
  it("is reproducible: the same seed gives the same experiments", () => {
    expect(simulateExperiments(reward, 5, 42)).toEqual(simulateExperiments(reward, 5, 42));
    expect(simulateExperiments(reward, 5, 42)).not.toEqual(simulateExperiments(reward, 5, 43));
  });

  it("runs a third of the experiments under each true effect and finds large effects", () => {
    const results = simulateExperiments(reward, 10, 7);
    expect(results.map((r) => r.truth).filter((t) => t === "better")).toHaveLength(10);
    const summary = summarise(results);
    expect(summary.experiments).toBe(30);
    expect(summary.power).toBe(1);
    expect(summary.rollbackPower).toBe(1);
    expect(summary.medianSamplesToDecide).toBeGreaterThanOrEqual(20);
  });

  it("summarises wrong verdicts over the experiments where they are wrong", () => {
    const summary = summarise([
      { truth: "none", verdict: "promote", samples: 100 },
      { truth: "none", verdict: "undecided", samples: 500 },
      { truth: "worse", verdict: "rollback", samples: 300 },
      { truth: "better", verdict: "rollback", samples: 200 },
    ]);
    expect(summary.wrongPromotionRate).toBeCloseTo(1 / 3, 10);
    expect(summary.wrongRollbackRate).toBeCloseTo(1 / 3, 10);
    expect(summary.nullDecisionRate).toBe(0.5);
    expect(summary.power).toBe(0);
    expect(summary.medianSamplesToDecide).toBe(300);
  });
});
