import type { BanditConfig } from "./bandit-config.js";
import { type RewardPosterior, probabilitiesOfBest } from "./bandit-distributions.js";
import { constantRewardPosterior, linearModel, linearRewardPosterior } from "./bandit-posterior.js";
import { boundedShares, drawShare } from "./bandit-shares.js";
import { type BanditArmState, type BanditState, banditArmKey } from "./bandit-state.js";
import type { RouteStrategy, StrategyCandidate, StrategyChoice, StrategyContext } from "./route-strategy.js";

/** What the bandit derives from its state for one candidate list and one request's features. */
interface Assessment {
  readonly arms: readonly (BanditArmState | undefined)[];
  readonly means: readonly number[];
  readonly probabilities: readonly number[];
}

function assess(
  candidates: readonly StrategyCandidate[],
  state: BanditState | undefined,
  x: readonly number[] | undefined,
): Assessment {
  const arms = candidates.map((c) => state?.arms.get(banditArmKey(c.model.name, c.model.version)));
  const posteriors: RewardPosterior[] = arms.map((arm) =>
    x === undefined ? constantRewardPosterior(arm) : linearRewardPosterior(linearModel(arm, x.length), x),
  );
  return { arms, means: posteriors.map((p) => p.mean), probabilities: probabilitiesOfBest(posteriors) };
}

/** Assessments of bandits without features depend only on the state and the candidates: cached per state object. */
const constantAssessments = new WeakMap<object, Map<string, Assessment>>();
const PRIOR = {};

function constantAssessment(candidates: readonly StrategyCandidate[], state: BanditState | undefined): Assessment {
  const owner = state ?? PRIOR;
  let byCandidates = constantAssessments.get(owner);
  if (byCandidates === undefined) {
    byCandidates = new Map();
    constantAssessments.set(owner, byCandidates);
  }
  const key = candidates.map((c) => banditArmKey(c.model.name, c.model.version)).join("\u0000");
  let found = byCandidates.get(key);
  if (found === undefined) {
    found = assess(candidates, state, undefined);
    byCandidates.set(key, found);
  }
  return found;
}

function percent(p: number): string {
  return `${(100 * p).toFixed(1)} %`;
}

function describe(assessment: Assessment, shares: readonly number[], i: number): string {
  const pulls = assessment.arms[i]?.pulls ?? 0;
  return (
    `probability ${percent(shares[i] ?? 0)} (P(best) ${percent(assessment.probabilities[i] ?? 0)}), ` +
    `expected reward ${(assessment.means[i] ?? 0).toFixed(3)} after ${pulls} pulls`
  );
}

/**
 * STRATEGY_BANDIT: Thompson sampling over the candidates, with the choice probabilities computed exactly
 * rather than sampled. Each candidate's reward has a posterior — Beta(1 + Σr, 1 + n − Σr) without features;
 * with features, linear Thompson sampling over x = (1, features…): N(xᵀμ, v²·xᵀA⁻¹x), A = λI + Σxxᵀ,
 * μ = A⁻¹b — and its probability of being the best is integrated numerically. Those probabilities are bounded
 * (`max_exploration` caps the mass off the arm with the best expected reward, `min_share` floors every arm),
 * the target is drawn from them with the injected random source, and the propensity is the drawn arm's
 * probability. The other candidates become fallbacks, best expected reward first. Every candidate's score is
 * its expected reward. The state comes from `context.bandits` under the key
 * `<context.route>#<digest>`; without it, every arm is at its prior.
 */
export function createBanditStrategy(config: BanditConfig): RouteStrategy {
  const contextual = config.features.length > 0;
  return {
    name: "bandit",
    cost: config.cost,
    choose(candidates, context: StrategyContext): StrategyChoice {
      const bandit = `${context.route ?? ""}#${config.digest}`;
      const state = context.bandits?.(bandit);
      let features: number[] = [];
      let assessment: Assessment;
      if (contextual && context.activation !== undefined) {
        const activation = context.activation();
        features = config.features.map((f) => f.value(activation));
        assessment = assess(candidates, state, [1, ...features]);
      } else if (contextual) {
        features = config.features.map(() => 0);
        assessment = assess(candidates, state, [1, ...features]);
      } else {
        assessment = constantAssessment(candidates, state);
      }
      const { means } = assessment;
      let greedy = 0;
      means.forEach((m, i) => {
        if (m > (means[greedy] as number)) greedy = i;
      });
      const shares = boundedShares(assessment.probabilities, greedy, config.minShare, config.maxExploration);
      const index = drawShare(shares, context.random());
      const fallbackOrder = candidates.map((_, i) => i).filter((i) => i !== index).sort((a, b) => (means[b] as number) - (means[a] as number) || a - b);
      const notChosen = new Map<number, string>();
      if (context.explain) {
        for (const i of fallbackOrder) notChosen.set(i, `not drawn by the bandit: ${describe(assessment, shares, i)}`);
      }
      return {
        index,
        reason: `drawn by the bandit ${bandit}: ${describe(assessment, shares, index)}`,
        propensity: shares[index] as number,
        notChosen,
        scores: means,
        metric: "expected_reward",
        fallbackOrder,
        bandit,
        features,
      };
    },
  };
}
