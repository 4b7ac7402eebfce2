/** One logged decision as off-policy evaluation sees it. */
export interface LoggedOutcome {
  /** The logged action: the model version that served (`name@version`). */
  readonly action: string;
  /** p(a|x): the probability with which the logging policy chose `action` (in (0, 1]). */
  readonly propensity: number;
  /** The observed metric of the decision: 1/0 for a correct/wrong label, or a reward. */
  readonly reward: number;
  /**
   * π(·|x): the evaluated policy's probability of each action for this request (actions it never chooses may be
   * left out; empty when it decides no model). π(a|x) of the logged action is `policy.get(action) ?? 0`.
   */
  readonly policy: ReadonlyMap<string, number>;
}

/** Off-policy estimates of a policy's mean metric, from {@link estimateOffPolicy}. */
export interface OffPolicyEstimate {
  /** How many logged decisions the estimate rests on. */
  readonly decisions: number;
  /** Of those, the decisions whose logged action the evaluated policy chooses with a positive probability. */
  readonly matched: number;
  /** Inverse propensity scoring: Σ w·r / n, with w = π(a|x) / p(a|x). Unbiased, high variance. */
  readonly ips: number;
  /** Self-normalised IPS: Σ w·r / Σ w (0 when no decision matched). The headline estimate. */
  readonly snips: number;
  /** The 95 % confidence interval of `snips` by the delta method (both `snips` when no decision matched). */
  readonly lower: number;
  readonly upper: number;
  /** (Σw)² / Σw²: how many decisions the estimate is worth (0 when no decision matched). */
  readonly effectiveSampleSize: number;
  /** The mean metric of the logged decisions themselves. */
  readonly logged: number;
  /**
   * Doubly robust: the mean over decisions of Σ_a π(a|x)·r̂(a) + w·(r − r̂(a_logged)), with the reward model r̂(a) =
   * the mean metric of the logged decisions of action a (the logged mean for an action never logged).
   */
  readonly doublyRobust: number;
  /**
   * The mean over decisions of the probability the evaluated policy puts on actions never logged: the share of its
   * traffic no logged decision says anything about (no support), which only the reward model's guess covers.
   */
  readonly unsupportedShare: number;
  /** The actions the evaluated policy chooses that were never logged, sorted. */
  readonly unsupportedActions: readonly string[];
}

/** The two-sided 95 % quantile of the standard normal distribution. */
export const Z_95 = 1.959963984540054;

/**
 * Off-policy estimates of the mean metric the evaluated policy would have achieved on the logged decisions: IPS,
 * self-normalised IPS with a 95 % interval by the delta method (the variance of the ratio estimator
 * Σ w·r / Σ w is Σ w²·(r − snips)² / (Σ w)²), the effective sample size, the logged mean, and the doubly robust
 * estimate with a per-action mean reward model. Pure; every figure is 0 for no decisions.
 */
export function estimateOffPolicy(outcomes: readonly LoggedOutcome[]): OffPolicyEstimate {
  const n = outcomes.length;
  if (n === 0) {
    return {
      decisions: 0,
      matched: 0,
      ips: 0,
      snips: 0,
      lower: 0,
      upper: 0,
      effectiveSampleSize: 0,
      logged: 0,
      doublyRobust: 0,
      unsupportedShare: 0,
      unsupportedActions: [],
    };
  }
  const model = rewardModel(outcomes);
  let matched = 0;
  let sumW = 0;
  let sumW2 = 0;
  let sumWR = 0;
  let sumR = 0;
  let sumDr = 0;
  let unsupported = 0;
  const unsupportedActions = new Set<string>();
  const weights: number[] = [];
  for (const outcome of outcomes) {
    const target = outcome.policy.get(outcome.action) ?? 0;
    const w = target / outcome.propensity;
    weights.push(w);
    if (target > 0) matched++;
    sumW += w;
    sumW2 += w * w;
    sumWR += w * outcome.reward;
    sumR += outcome.reward;
    let direct = 0;
    for (const [action, probability] of outcome.policy) {
      const known = model.means.get(action);
      if (known === undefined) {
        unsupported += probability;
        if (probability > 0) unsupportedActions.add(action);
      }
      direct += probability * (known ?? model.overall);
    }
    sumDr += direct + w * (outcome.reward - (model.means.get(outcome.action) ?? model.overall));
  }
  const snips = sumW > 0 ? sumWR / sumW : 0;
  let squares = 0;
  outcomes.forEach((outcome, i) => {
    const w = weights[i] ?? 0;
    squares += w * w * (outcome.reward - snips) ** 2;
  });
  const halfWidth = sumW > 0 ? (Z_95 * Math.sqrt(squares)) / sumW : 0;
  return {
    decisions: n,
    matched,
    ips: sumWR / n,
    snips,
    lower: snips - halfWidth,
    upper: snips + halfWidth,
    effectiveSampleSize: sumW2 > 0 ? (sumW * sumW) / sumW2 : 0,
    logged: sumR / n,
    doublyRobust: sumDr / n,
    unsupportedShare: unsupported / n,
    unsupportedActions: [...unsupportedActions].sort(),
  };
}

/** Each logged action's mean metric, and the mean over all decisions. */
function rewardModel(outcomes: readonly LoggedOutcome[]): { means: Map<string, number>; overall: number } {
  const sums = new Map<string, { sum: number; count: number }>();
  let total = 0;
  for (const outcome of outcomes) {
    const entry = sums.get(outcome.action) ?? { sum: 0, count: 0 };
    entry.sum += outcome.reward;
    entry.count += 1;
    sums.set(outcome.action, entry);
    total += outcome.reward;
  }
  const means = new Map<string, number>();
  for (const [action, { sum, count }] of sums) means.set(action, sum / count);
  return { means, overall: total / outcomes.length };
}
