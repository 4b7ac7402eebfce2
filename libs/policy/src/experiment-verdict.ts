import type { ExperimentMetricName, ExperimentTestSettings } from "./experiment-compile.js";
import { compareArms, runningPValue, type ArmSample, type SequentialComparison } from "./sequential-test.js";

/** One arm of a running experiment: its metric's sample and its requests. */
export interface ExperimentArmFigures extends ArmSample {
  /** How the arm is named in notes and reasons, for example "digits-lite@2". */
  readonly label: string;
  /** The requests the split sent to the arm, and how many of them it failed. */
  readonly requests: number;
  readonly errors: number;
}

/** What the test says now. */
export type ExperimentDecision =
  | { readonly kind: "undecided"; readonly note: string }
  | {
      readonly kind: "promote" | "rollback";
      /** The challenger's index in the arms (1 or more; 0 is the control). */
      readonly challenger: number;
      readonly pValue: number;
      readonly effect: number;
      /** One line for people, the evidence. */
      readonly reason: string;
    };

/** The test of every challenger against the control, and the decision. */
export interface ExperimentAssessment {
  /** Per challenger (arms from the second): the comparison, with the running always-valid p-value. */
  readonly comparisons: readonly SequentialComparison[];
  readonly decision: ExperimentDecision;
}

const LOWER_IS_BETTER: Readonly<Record<ExperimentMetricName, boolean>> = { accuracy: false, reward: false, latency: true };

function formatNumber(metric: ExperimentMetricName, value: number): string {
  return metric === "latency" ? value.toFixed(1) : value.toFixed(3);
}

function signed(metric: ExperimentMetricName, value: number): string {
  return `${value >= 0 ? "+" : ""}${formatNumber(metric, value)}`;
}

function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

function errorRate(arm: ExperimentArmFigures): number {
  return arm.requests === 0 ? 0 : arm.errors / arm.requests;
}

/**
 * Runs the experiment's test on its arms (the control first): each challenger against the control by the
 * mSPRT (see `compareArms`) at alpha divided by the number of challengers (so that the chance of any wrong
 * verdict stays within alpha), taking the running minimum with `previousPValues` (the p-values of the last
 * look, per challenger, when known). A challenger is rolled back when its share of failed requests exceeds
 * `maxErrorRate` after `minSamples` requests, or when both arms have `minSamples` samples, p ≤ alpha and the
 * effect is in the bad direction; it is promoted when both arms have `minSamples` samples, p ≤ alpha and the
 * effect is in the good direction by at least `minEffect` (for latency, lower is better). Rollbacks are
 * decided before promotions; among promotable challengers the largest improvement wins.
 */
export function assessExperiment(
  settings: ExperimentTestSettings,
  arms: readonly ExperimentArmFigures[],
  previousPValues: readonly (number | undefined)[] = [],
): ExperimentAssessment {
  const [control, ...challengers] = arms;
  if (control === undefined || challengers.length === 0) {
    return { comparisons: [], decision: { kind: "undecided", note: "the experiment needs a control and a challenger" } };
  }
  const { metric, minSamples, minEffect } = settings;
  const alpha = settings.alpha / challengers.length;
  const direction = LOWER_IS_BETTER[metric] ? -1 : 1;
  const comparisons = challengers.map((arm, index) => {
    const now = compareArms(metric, control, arm, minEffect);
    return { ...now, pValue: runningPValue(previousPValues[index], now.pValue) };
  });
  const reasonOf = (arm: ExperimentArmFigures, comparison: SequentialComparison, relation: string): string =>
    `${metric} ${formatNumber(metric, arm.mean)} vs ${formatNumber(metric, control.mean)} ` +
    `(${signed(metric, comparison.effect)}), always-valid p = ${formatP(comparison.pValue)} ${relation} ${formatP(alpha)}`;

  for (const [index, arm] of challengers.entries()) {
    const comparison = comparisons[index]!;
    const maxErrorRate = settings.maxErrorRate;
    if (maxErrorRate !== undefined && arm.requests >= minSamples && errorRate(arm) > maxErrorRate) {
      return {
        comparisons,
        decision: {
          kind: "rollback",
          challenger: index + 1,
          pValue: comparison.pValue,
          effect: comparison.effect,
          reason:
            `${arm.label} failed ${arm.errors} of ${arm.requests} requests (${(errorRate(arm) * 100).toFixed(1)} %), ` +
            `more than max_error_rate ${maxErrorRate}`,
        },
      };
    }
    const enough = control.samples >= minSamples && arm.samples >= minSamples;
    if (enough && comparison.pValue <= alpha && comparison.effect * direction < 0) {
      return {
        comparisons,
        decision: { kind: "rollback", challenger: index + 1, pValue: comparison.pValue, effect: comparison.effect, reason: reasonOf(arm, comparison, "≤") },
      };
    }
  }

  let best: number | undefined;
  for (const [index, arm] of challengers.entries()) {
    const comparison = comparisons[index]!;
    const enough = control.samples >= minSamples && arm.samples >= minSamples;
    const gain = comparison.effect * direction;
    if (enough && comparison.pValue <= alpha && gain > 0 && gain >= minEffect) {
      if (best === undefined || gain > comparisons[best]!.effect * direction) best = index;
    }
  }
  if (best !== undefined) {
    const comparison = comparisons[best]!;
    return {
      comparisons,
      decision: {
        kind: "promote",
        challenger: best + 1,
        pValue: comparison.pValue,
        effect: comparison.effect,
        reason: reasonOf(challengers[best]!, comparison, "≤"),
      },
    };
  }
  return { comparisons, decision: { kind: "undecided", note: undecidedNote(settings, control, challengers, comparisons, alpha) } };
}

function undecidedNote(
  settings: ExperimentTestSettings,
  control: ExperimentArmFigures,
  challengers: readonly ExperimentArmFigures[],
  comparisons: readonly SequentialComparison[],
  alpha: number,
): string {
  const short = [control, ...challengers].filter((arm) => arm.samples < settings.minSamples);
  if (short.length > 0) {
    return short.map((arm) => `${arm.label} has ${arm.samples} of ${settings.minSamples} samples`).join("; ");
  }
  return challengers
    .map((arm, index) => {
      const comparison = comparisons[index]!;
      if (comparison.pValue > alpha) {
        return `${arm.label}: ${signed(settings.metric, comparison.effect)}, p = ${formatP(comparison.pValue)} > ${formatP(alpha)}`;
      }
      return `${arm.label}: ${signed(settings.metric, comparison.effect)} is below min_effect ${settings.minEffect}`;
    })
    .join("; ");
}
