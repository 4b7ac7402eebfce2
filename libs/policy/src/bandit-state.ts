/**
 * What a bandit has learned of one arm (one model version) from the feedback on the decisions it served, as
 * the registry's `ListBanditArms` reports it (`BanditArm`).
 */
export interface BanditArmState {
  /** Rewarded decisions. */
  readonly pulls: number;
  /** The sum of their rewards, each in [0, 1]. */
  readonly rewardSum: number;
  /** The sum of their squares. */
  readonly rewardSquareSum: number;
  /**
   * For a contextual bandit: the length d of the vectors x = (1, features…) the arm learned from (an intercept
   * then the declared features); 0 without features.
   */
  readonly dimension: number;
  /** Σ x·xᵀ over the rewarded decisions (d × d, row-major), without any prior; empty without features. */
  readonly gram: readonly number[];
  /** Σ reward·x over the rewarded decisions (d); empty without features. */
  readonly rewardFeatures: readonly number[];
}

/** One bandit's arms, by {@link banditArmKey} of the model version. */
export interface BanditState {
  readonly arms: ReadonlyMap<string, BanditArmState>;
}

/**
 * The learned state of a bandit by its key (`RoutingDecision.bandit`); undefined for a bandit that has learned
 * nothing yet (every arm at its prior). Keep returning the same objects for one snapshot: the bandit caches
 * per-state work (matrix inverses) by object.
 */
export type BanditStates = (key: string) => BanditState | undefined;

/** The key of a model version's arm in {@link BanditState.arms}. */
export function banditArmKey(name: string, version: string): string {
  return `${name}@${version}`;
}
