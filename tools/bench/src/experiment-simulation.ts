import {
  SampleAccumulator,
  assessExperiment,
  type ExperimentMetricName,
  type ExperimentTestSettings,
} from "@modelrouter/policy";
import { createRandom, type Random } from "./loadgen/random.js";

/** Whether the challenger truly is better, the same, or worse than the control. */
export type TrueEffect = "none" | "better" | "worse";

/** One family of simulated experiments. */
export interface SimulationScenario {
  readonly metric: ExperimentMetricName;
  /** The size of the true difference for "better" and "worse" experiments, in the metric's unit. */
  readonly effect: number;
  /** The most samples per arm before an experiment is called off undecided. */
  readonly maxSamples: number;
  readonly settings: ExperimentTestSettings;
}

/** How one simulated experiment ended. */
export interface SimulatedExperiment {
  readonly truth: TrueEffect;
  readonly verdict: "promote" | "rollback" | "undecided";
  /** The samples per arm when it decided (or `maxSamples`). */
  readonly samples: number;
}

/** Draws one observation of an arm whose true mean is `mean`. */
type Draw = (mean: number, random: Random) => number;

function normal(random: Random): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Accuracy: 0/1 answers; latency: normal with a standard deviation of 20 % of the mean. */
const DRAWS: Readonly<Record<ExperimentMetricName, Draw>> = {
  accuracy: (mean, random) => (random() < mean ? 1 : 0),
  reward: (mean, random) => mean + 0.25 * normal(random),
  latency: (mean, random) => mean * (1 + 0.2 * normal(random)),
};

/** The control's true mean of an experiment: accuracy in [0.7, 0.9], reward in [0.4, 0.6], latency in [40, 60] ms. */
function baseMean(metric: ExperimentMetricName, random: Random): number {
  if (metric === "accuracy") return 0.7 + 0.2 * random();
  if (metric === "reward") return 0.4 + 0.2 * random();
  return 40 + 20 * random();
}

/**
 * Runs one experiment with continuous monitoring: both arms receive one sample per step (a 50/50 split), and
 * the test looks after every step, as the registry would if it looked after every request; it stops at the
 * first verdict.
 */
export function simulateExperiment(scenario: SimulationScenario, truth: TrueEffect, random: Random): SimulatedExperiment {
  const { metric, settings } = scenario;
  const control = baseMean(metric, random);
  const better = metric === "latency" ? -scenario.effect : scenario.effect;
  const challenger = truth === "none" ? control : truth === "better" ? control + better : control - better;
  const draw = DRAWS[metric];
  const arms = [new SampleAccumulator(), new SampleAccumulator()];
  let previous: readonly (number | undefined)[] = [];
  for (let n = 1; n <= scenario.maxSamples; n += 1) {
    arms[0]!.add(draw(control, random));
    arms[1]!.add(draw(challenger, random));
    if (n < settings.minSamples) continue;
    const figures = arms.map((arm, index) => ({ ...arm.sample(), label: `arm${index}`, requests: n, errors: 0 }));
    const assessment = assessExperiment(settings, figures, previous);
    previous = assessment.comparisons.map((c) => c.pValue);
    if (assessment.decision.kind !== "undecided") return { truth, verdict: assessment.decision.kind, samples: n };
  }
  return { truth, verdict: "undecided", samples: scenario.maxSamples };
}

/** Runs `perTruth` experiments of each true effect (none, better, worse), seeded: the same seed, the same results. */
export function simulateExperiments(scenario: SimulationScenario, perTruth: number, seed: number): SimulatedExperiment[] {
  const random = createRandom(seed);
  const results: SimulatedExperiment[] = [];
  for (const truth of ["none", "better", "worse"] as const) {
    for (let i = 0; i < perTruth; i += 1) results.push(simulateExperiment(scenario, truth, random));
  }
  return results;
}

/** What a family of simulated experiments shows. */
export interface SimulationSummary {
  readonly experiments: number;
  /** Promotions of a challenger that was not better, over the experiments whose challenger was not better. */
  readonly wrongPromotionRate: number;
  /** Rollbacks of a challenger that was not worse, over the experiments whose challenger was not worse. */
  readonly wrongRollbackRate: number;
  /** Promotions of a better challenger, over the better ones. */
  readonly power: number;
  /** Rollbacks of a worse challenger, over the worse ones. */
  readonly rollbackPower: number;
  /** Any verdict under no true effect, over those experiments (the type-I error). */
  readonly nullDecisionRate: number;
  /** The median samples per arm at the verdict, over the experiments that decided correctly. */
  readonly medianSamplesToDecide: number;
}

function rate(results: readonly SimulatedExperiment[], match: (r: SimulatedExperiment) => boolean): number {
  return results.length === 0 ? 0 : results.filter(match).length / results.length;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Summarises simulated experiments (see {@link SimulationSummary}). */
export function summarise(results: readonly SimulatedExperiment[]): SimulationSummary {
  const notBetter = results.filter((r) => r.truth !== "better");
  const notWorse = results.filter((r) => r.truth !== "worse");
  const correct = results.filter(
    (r) => (r.truth === "better" && r.verdict === "promote") || (r.truth === "worse" && r.verdict === "rollback"),
  );
  return {
    experiments: results.length,
    wrongPromotionRate: rate(notBetter, (r) => r.verdict === "promote"),
    wrongRollbackRate: rate(notWorse, (r) => r.verdict === "rollback"),
    power: rate(results.filter((r) => r.truth === "better"), (r) => r.verdict === "promote"),
    rollbackPower: rate(results.filter((r) => r.truth === "worse"), (r) => r.verdict === "rollback"),
    nullDecisionRate: rate(results.filter((r) => r.truth === "none"), (r) => r.verdict !== "undecided"),
    medianSamplesToDecide: median(correct.map((r) => r.samples)),
  };
}

/** A challenger that matches the control and then degrades: when, and by how much. */
export interface Degradation {
  /** The control's (and at first the challenger's) accuracy. */
  readonly accuracy: number;
  /** The challenger's accuracy once degraded. */
  readonly degradedAccuracy: number;
  /** The samples per arm before the challenger degrades. */
  readonly after: number;
  readonly maxSamples: number;
  readonly settings: ExperimentTestSettings;
}

/**
 * Runs `runs` experiments whose challenger degrades mid-run (see {@link Degradation}); for each, the route's
 * requests (both arms) from the degradation to the rollback, or undefined when it was not rolled back (or the
 * test decided before the degradation).
 */
export function simulateDegradations(degradation: Degradation, runs: number, seed: number): (number | undefined)[] {
  const random = createRandom(seed);
  const results: (number | undefined)[] = [];
  for (let run = 0; run < runs; run += 1) {
    const arms = [new SampleAccumulator(), new SampleAccumulator()];
    let previous: readonly (number | undefined)[] = [];
    let result: number | undefined;
    for (let n = 1; n <= degradation.maxSamples; n += 1) {
      const challenger = n > degradation.after ? degradation.degradedAccuracy : degradation.accuracy;
      arms[0]!.add(random() < degradation.accuracy ? 1 : 0);
      arms[1]!.add(random() < challenger ? 1 : 0);
      if (n < degradation.settings.minSamples) continue;
      const figures = arms.map((arm, index) => ({ ...arm.sample(), label: `arm${index}`, requests: n, errors: 0 }));
      const assessment = assessExperiment(degradation.settings, figures, previous);
      previous = assessment.comparisons.map((c) => c.pValue);
      if (assessment.decision.kind === "undecided") continue;
      if (assessment.decision.kind === "rollback" && n > degradation.after) result = 2 * (n - degradation.after);
      break;
    }
    results.push(result);
  }
  return results;
}
