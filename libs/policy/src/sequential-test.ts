import type { ExperimentMetricName } from "./experiment-compile.js";

/** One arm's sample of the metric: how many, their mean and their (unbiased) sample variance. */
export interface ArmSample {
  readonly samples: number;
  readonly mean: number;
  readonly variance: number;
}

/** How a challenger compares with the control by the mixture sequential probability ratio test. */
export interface SequentialComparison {
  /** The challenger's mean minus the control's. */
  readonly effect: number;
  /** The always-valid p-value at this look, 1/Λ capped at 1 (take the running minimum across looks). */
  readonly pValue: number;
  /** The mixing distribution's standard deviation τ used, in the metric's unit. */
  readonly tau: number;
}

/** The mixing standard deviation for accuracy: effects of a few points of accuracy are what users look for. */
export const ACCURACY_TAU = 0.05;
/** For reward and latency, τ is this many pooled standard deviations (a small-to-medium standardised effect). */
export const STANDARDISED_TAU = 0.25;

/**
 * The variance one observation of the arm contributes to the test. For accuracy (0/1 samples) it is
 * p̃(1 − p̃) with p̃ = (successes + 1)/(n + 2), so an arm that was always right (or always wrong) still has a
 * variance; for reward and latency the sample variance, floored at a millionth of the mean's square so that
 * identical samples do not divide by zero.
 */
export function observationVariance(arm: ArmSample, metric: ExperimentMetricName): number {
  if (metric === "accuracy") {
    const smoothed = (arm.mean * arm.samples + 1) / (arm.samples + 2);
    return smoothed * (1 - smoothed);
  }
  const floor = Math.max(arm.mean * arm.mean * 1e-6, 1e-12);
  return Math.max(arm.variance, floor);
}

/**
 * The mixing standard deviation τ of the test: the effect sizes the test is most sensitive to. For accuracy
 * {@link ACCURACY_TAU} (5 points); for reward and latency {@link STANDARDISED_TAU} pooled standard deviations
 * (they have no natural scale). Never below `minEffect`: an effect smaller than that is not worth finding.
 */
export function mixingTau(
  metric: ExperimentMetricName,
  control: ArmSample,
  challenger: ArmSample,
  minEffect: number,
): number {
  const base =
    metric === "accuracy"
      ? ACCURACY_TAU
      : STANDARDISED_TAU * Math.sqrt((observationVariance(control, metric) + observationVariance(challenger, metric)) / 2);
  return Math.max(base, minEffect);
}

/**
 * The natural logarithm of the mSPRT statistic Λ for the difference of two means with a normal mixing
 * distribution N(0, τ²) over the true difference (Johari, Pekelis and Walsh, "Always valid inference", 2017;
 * Johari, Koomen, Pekelis and Walsh, Operations Research 2022): with Δ̂ the observed difference and
 * V = σ₁²/n₁ + σ₂²/n₂ its variance,
 *
 *     Λ = √(V / (V + τ²)) · exp(Δ̂² τ² / (2 V (V + τ²)))
 *
 * Λ is a nonnegative martingale under the null (no difference) when the variances are known, so by Ville's
 * inequality P(Λ ever reaches 1/α) ≤ α: 1/Λ may be looked at after every sample. The variances here are the
 * arms' sample estimates (see {@link observationVariance}), a plug-in that `min_samples` keeps honest; the
 * false-promotion rate this gives is measured by `tools/bench` (`experiment-simulation`).
 */
export function logMixtureRatio(effect: number, variance: number, tau: number): number {
  const tau2 = tau * tau;
  return 0.5 * Math.log(variance / (variance + tau2)) + (effect * effect * tau2) / (2 * variance * (variance + tau2));
}

/**
 * Compares a challenger with the control: the effect (challenger minus control) and the always-valid p-value
 * of this look. Either arm without samples gives p = 1.
 */
export function compareArms(
  metric: ExperimentMetricName,
  control: ArmSample,
  challenger: ArmSample,
  minEffect = 0,
): SequentialComparison {
  const tau = mixingTau(metric, control, challenger, minEffect);
  if (control.samples === 0 || challenger.samples === 0) {
    return { effect: challenger.mean - control.mean, pValue: 1, tau };
  }
  const effect = challenger.mean - control.mean;
  const variance =
    observationVariance(control, metric) / control.samples + observationVariance(challenger, metric) / challenger.samples;
  const logLambda = logMixtureRatio(effect, variance, tau);
  return { effect, pValue: Math.min(1, Math.exp(-logLambda)), tau };
}

/** The always-valid p-value after another look: the running minimum of 1/Λ (undefined `previous`: the first look). */
export function runningPValue(previous: number | undefined, current: number): number {
  return previous === undefined ? current : Math.min(previous, current);
}

/**
 * Accumulates samples one at a time (Welford's algorithm) into an {@link ArmSample}, for simulations and for
 * reading arms out of a decision log.
 */
export class SampleAccumulator {
  private n = 0;
  private average = 0;
  private squares = 0;

  /** Adds one observation. */
  add(value: number): void {
    this.n += 1;
    const delta = value - this.average;
    this.average += delta / this.n;
    this.squares += delta * (value - this.average);
  }

  /** The samples so far. */
  sample(): ArmSample {
    return { samples: this.n, mean: this.n === 0 ? 0 : this.average, variance: this.n < 2 ? 0 : this.squares / (this.n - 1) };
  }
}
