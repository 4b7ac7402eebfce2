import type { BanditArmState } from "./bandit-state.js";

/** An arm that has learned nothing, for vectors of length `dimension` (0 without features). */
export function emptyBanditArm(dimension: number): BanditArmState {
  return {
    pulls: 0,
    rewardSum: 0,
    rewardSquareSum: 0,
    dimension,
    gram: Array.from({ length: dimension * dimension }, () => 0),
    rewardFeatures: Array.from({ length: dimension }, () => 0),
  };
}

/** The vector a contextual arm learns from: an intercept, then the features; empty without features. */
export function banditVector(features: readonly number[]): number[] {
  return features.length === 0 ? [] : [1, ...features];
}

/**
 * The arm after learning one reward (clamped to [0, 1]) for a decision with these features (`sign` 1), or
 * after forgetting one it learned (`sign` −1, to replace earlier feedback without counting it twice).
 * An arm learned over another dimension (the features changed) starts afresh. Returns a new object.
 */
export function learnBanditReward(
  arm: BanditArmState | undefined,
  features: readonly number[],
  reward: number,
  sign: 1 | -1 = 1,
): BanditArmState {
  const x = banditVector(features);
  const d = x.length;
  const base = arm !== undefined && arm.dimension === d ? arm : emptyBanditArm(d);
  const r = Math.min(1, Math.max(0, Number.isFinite(reward) ? reward : 0));
  return {
    pulls: Math.max(0, base.pulls + sign),
    rewardSum: base.rewardSum + sign * r,
    rewardSquareSum: base.rewardSquareSum + sign * r * r,
    dimension: d,
    gram: base.gram.map((g, k) => g + sign * (x[Math.floor(k / d)] as number) * (x[k % d] as number)),
    rewardFeatures: base.rewardFeatures.map((b, i) => b + sign * r * (x[i] as number)),
  };
}
