import { type RewardPosterior, betaPosterior, normalPosterior } from "./bandit-distributions.js";
import type { BanditArmState } from "./bandit-state.js";

/** The prior precision λ of the linear model's weights: A = λI + Σ x·xᵀ. */
export const BANDIT_PRIOR_PRECISION = 1;
/**
 * The prior scale v of the linear posterior, score ~ N(xᵀμ, v²·xᵀA⁻¹x): 0.5 bounds the sd of a reward in [0, 1].
 * An arm that has learned estimates v² from its residuals, shrunk towards 0.25 by
 * {@link BANDIT_NOISE_PRIOR_WEIGHT} pseudo-observations: v² = (0.25·k + RSS) / (k + n).
 */
export const BANDIT_NOISE_SCALE = 0.5;
/** How many pseudo-observations of the largest variance (0.25) the residual variance estimate starts from. */
export const BANDIT_NOISE_PRIOR_WEIGHT = 10;

/** Beta-Bernoulli Thompson sampling: Beta(1 + Σr, 1 + n − Σr), the uniform prior updated by the rewards. */
export function constantRewardPosterior(arm: BanditArmState | undefined): RewardPosterior {
  const pulls = Math.max(0, arm?.pulls ?? 0);
  const sum = Math.min(pulls, Math.max(0, arm?.rewardSum ?? 0));
  return betaPosterior(1 + sum, 1 + pulls - sum);
}

/** An arm's linear model: A⁻¹, μ = A⁻¹b and the scale v, for vectors of length `dimension`. */
export interface LinearModel {
  readonly dimension: number;
  readonly inverse: readonly number[];
  readonly weights: readonly number[];
  readonly scale: number;
}

/** Inverts a symmetric positive definite d × d matrix (row-major) by Gauss-Jordan elimination with pivoting. */
export function invert(matrix: readonly number[], d: number): number[] {
  const a = [...matrix];
  const inv: number[] = Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? 1 : 0));
  for (let col = 0; col < d; col++) {
    let pivot = col;
    for (let row = col + 1; row < d; row++) if (Math.abs(a[row * d + col] as number) > Math.abs(a[pivot * d + col] as number)) pivot = row;
    if (pivot !== col) {
      for (let k = 0; k < d; k++) {
        [a[col * d + k], a[pivot * d + k]] = [a[pivot * d + k] as number, a[col * d + k] as number];
        [inv[col * d + k], inv[pivot * d + k]] = [inv[pivot * d + k] as number, inv[col * d + k] as number];
      }
    }
    const p = a[col * d + col] as number;
    for (let k = 0; k < d; k++) {
      a[col * d + k] = (a[col * d + k] as number) / p;
      inv[col * d + k] = (inv[col * d + k] as number) / p;
    }
    for (let row = 0; row < d; row++) {
      if (row === col) continue;
      const factor = a[row * d + col] as number;
      if (factor === 0) continue;
      for (let k = 0; k < d; k++) {
        a[row * d + k] = (a[row * d + k] as number) - factor * (a[col * d + k] as number);
        inv[row * d + k] = (inv[row * d + k] as number) - factor * (inv[col * d + k] as number);
      }
    }
  }
  return inv;
}

const models = new WeakMap<BanditArmState, LinearModel>();
const priors = new Map<number, LinearModel>();

function fit(gram: readonly number[], rewardFeatures: readonly number[], d: number, arm?: BanditArmState): LinearModel {
  const a = Array.from({ length: d * d }, (_, k) => (gram[k] ?? 0) + (k % (d + 1) === 0 ? BANDIT_PRIOR_PRECISION : 0));
  const inverse = invert(a, d);
  const weights = Array.from({ length: d }, (_, row) => {
    let sum = 0;
    for (let k = 0; k < d; k++) sum += (inverse[row * d + k] as number) * (rewardFeatures[k] ?? 0);
    return sum;
  });
  let scale = BANDIT_NOISE_SCALE;
  if (arm !== undefined && arm.pulls > 0) {
    let fitted = 0;
    let explained = 0;
    for (let i = 0; i < d; i++) {
      explained += (weights[i] as number) * (rewardFeatures[i] ?? 0);
      for (let k = 0; k < d; k++) fitted += (weights[i] as number) * (gram[i * d + k] ?? 0) * (weights[k] as number);
    }
    const residuals = Math.max(0, arm.rewardSquareSum - 2 * explained + fitted);
    const prior = BANDIT_NOISE_PRIOR_WEIGHT;
    scale = Math.sqrt((BANDIT_NOISE_SCALE ** 2 * prior + residuals) / (prior + arm.pulls));
  }
  return { dimension: d, inverse, weights, scale };
}

/**
 * The arm's linear model for vectors of length `dimension` (A = λI + gram, μ = A⁻¹b, v from the residuals), computed once per arm
 * state object; the prior (A = λI, μ = 0) when the arm has learned nothing or learned over another dimension.
 */
export function linearModel(arm: BanditArmState | undefined, dimension: number): LinearModel {
  const learned = arm !== undefined && arm.dimension === dimension && arm.gram.length === dimension * dimension;
  if (!learned) {
    let prior = priors.get(dimension);
    if (prior === undefined) {
      prior = fit([], [], dimension);
      priors.set(dimension, prior);
    }
    return prior;
  }
  let model = models.get(arm);
  if (model === undefined) {
    model = fit(arm.gram, arm.rewardFeatures, dimension, arm);
    models.set(arm, model);
  }
  return model;
}

/** Linear Thompson sampling's posterior of the reward for the vector x: N(xᵀμ, v²·xᵀA⁻¹x), v the model's scale. */
export function linearRewardPosterior(model: LinearModel, x: readonly number[]): RewardPosterior {
  const d = model.dimension;
  let mean = 0;
  let quadratic = 0;
  for (let i = 0; i < d; i++) {
    const xi = x[i] ?? 0;
    mean += xi * (model.weights[i] as number);
    let row = 0;
    for (let k = 0; k < d; k++) row += (model.inverse[i * d + k] as number) * (x[k] ?? 0);
    quadratic += xi * row;
  }
  return normalPosterior(mean, model.scale * Math.sqrt(Math.max(quadratic, 1e-12)));
}
