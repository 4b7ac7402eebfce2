import { describe, expect, it } from "@jest/globals";
import { type CompiledGuard, type GuardFigures, type GuardState, HEALTHY_GUARD_STATE, advanceGuard, recoveryBounds } from "./index.js";

const guard: CompiledGuard = {
  minAccuracy: undefined,
  maxErrorRate: 0.1,
  maxP95LatencyMs: undefined,
  recoveryMargin: 0.2,
  minSamples: 20,
  holdMs: 30_000,
  probeShare: 0.05,
};

function figures(init: Partial<GuardFigures>): GuardFigures {
  return { attempts: 100, errorRate: 0, p95LatencyMs: 10, latencySamples: 100, labelled: 0, accuracy: 0, ...init };
}

/** Advances through a series of (seconds, figures), returning every state. */
function run(g: CompiledGuard, steps: readonly [number, Partial<GuardFigures>][], start: GuardState = HEALTHY_GUARD_STATE): GuardState[] {
  let state = start;
  return steps.map(([seconds, init]) => (state = advanceGuard(g, state, figures(init), seconds * 1000)));
}

describe("a guarded candidate's state", () => {
  it("stays healthy inside its thresholds, returning the same state", () => {
    const state = advanceGuard(guard, HEALTHY_GUARD_STATE, figures({ errorRate: 0.1 }), 1000);
    expect(state).toBe(HEALTHY_GUARD_STATE);
  });

  it("degrades when a figure with enough samples crosses its threshold, saying which and by how much", () => {
    const state = advanceGuard(guard, HEALTHY_GUARD_STATE, figures({ attempts: 212, errorRate: 0.48 }), 5000);
    expect(state).toMatchObject({ degraded: true, since: 5000, cause: "error_rate" });
    expect(state.trigger).toBe("error rate 0.48 over 212 attempts > max_error_rate 0.1");
    expect(state.reason).toContain(state.trigger);
  });

  it("does not degrade on a figure with fewer than min_samples samples", () => {
    expect(advanceGuard(guard, HEALTHY_GUARD_STATE, figures({ attempts: 19, errorRate: 1 }), 1000).degraded).toBe(false);
  });

  it("does not flap: a figure oscillating around the threshold, never inside the recovery bound, keeps it degraded", () => {
    const rates = [0.11, 0.09, 0.12, 0.085, 0.105, 0.09, 0.11, 0.095];
    const states = run(guard, rates.map((errorRate, i) => [i * 10, { errorRate }] as [number, Partial<GuardFigures>]));
    expect(states.map((s) => s.degraded)).toEqual(rates.map(() => true));
    expect(states.at(-1)?.reason).toContain("not yet ≤ 0.08");
  });

  it("recovers only after hold has passed and every counted figure is inside the recovery bound", () => {
    const states = run(guard, [
      [0, { errorRate: 0.5 }],
      [10, { errorRate: 0.01 }],
      [29, { errorRate: 0.01 }],
      [31, { errorRate: 0.081 }],
      [32, { errorRate: 0.08 }],
    ]);
    expect(states.map((s) => s.degraded)).toEqual([true, true, true, true, false]);
    expect(states[1]?.reason).toContain("held 10 of 30 s");
    expect(states[4]?.reason).toBe("recovered: error rate 0.08 over 100 attempts");
  });

  it("stays degraded until probes bring enough samples of the figure that degraded it", () => {
    const states = run(guard, [
      [0, { errorRate: 0.5 }],
      [40, { attempts: 5, errorRate: 0 }],
      [50, { attempts: 20, errorRate: 0 }],
    ]);
    expect(states.map((s) => s.degraded)).toEqual([true, true, false]);
    expect(states[1]?.reason).toContain("waiting for 20 samples from probes, has 5");
  });

  it("keeps its trigger while degraded and can degrade again after recovering", () => {
    const states = run(guard, [
      [0, { errorRate: 0.5 }],
      [31, { errorRate: 0 }],
      [32, { errorRate: 0.3 }],
    ]);
    expect(states.map((s) => s.degraded)).toEqual([true, false, true]);
    expect(states[2]?.since).toBe(32_000);
  });

  describe("by accuracy from feedback", () => {
    const accuracyGuard: CompiledGuard = { ...guard, maxErrorRate: undefined, minAccuracy: 0.9, holdMs: 0 };

    it("recovers at threshold + margin·(1 − threshold): 0.92 for 0.9 with margin 0.2", () => {
      expect(recoveryBounds(accuracyGuard).minAccuracy).toBeCloseTo(0.92, 10);
      const states = run(accuracyGuard, [
        [0, { labelled: 40, accuracy: 0.6 }],
        [1, { labelled: 40, accuracy: 0.91 }],
        [2, { labelled: 40, accuracy: 0.93 }],
      ]);
      expect(states.map((s) => s.degraded)).toEqual([true, true, false]);
      expect(states[0]?.trigger).toBe("accuracy 0.6 over 40 labelled answers < min_accuracy 0.9");
    });

    it("ignores accuracy until min_samples answers are labelled, however many attempts ran", () => {
      expect(advanceGuard(accuracyGuard, HEALTHY_GUARD_STATE, figures({ labelled: 10, accuracy: 0 }), 0).degraded).toBe(false);
    });
  });

  it("guards p95 latency with its own sample count", () => {
    const latencyGuard: CompiledGuard = { ...guard, maxErrorRate: undefined, maxP95LatencyMs: 250 };
    const state = advanceGuard(latencyGuard, HEALTHY_GUARD_STATE, figures({ p95LatencyMs: 400, latencySamples: 30 }), 0);
    expect(state.trigger).toBe("p95 latency 400 ms over 30 attempts > max_p95_latency_ms 250");
    expect(advanceGuard(latencyGuard, HEALTHY_GUARD_STATE, figures({ p95LatencyMs: 400, latencySamples: 3 }), 0).degraded).toBe(false);
  });

  it("requires every counted figure inside its bound to recover, not only the one that degraded it", () => {
    const both: CompiledGuard = { ...guard, maxP95LatencyMs: 100, holdMs: 0 };
    const states = run(both, [
      [0, { errorRate: 0.5 }],
      [1, { errorRate: 0, p95LatencyMs: 90 }],
      [2, { errorRate: 0, p95LatencyMs: 80 }],
    ]);
    expect(states.map((s) => s.degraded)).toEqual([true, true, false]);
    expect(states[1]?.reason).toContain("p95 latency 90 ms over 100 attempts not yet ≤ 80 ms");
  });
});
