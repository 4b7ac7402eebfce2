import type { CompiledConstraint } from "./candidate-constraints.js";
import { screenCandidates } from "./candidate-screening.js";
import type { RouteStrategy, StrategyCandidate, StrategyChoice } from "./route-strategy.js";
import { pickOfTwoChoices, twoChoicesProbability } from "./two-choices.js";

/** The configuration of a least-loaded route, checked at compile time. */
export interface LeastLoadedConfig {
  /** Every constraint a candidate must pass to be chosen or be a fallback. */
  readonly constraints: readonly CompiledConstraint[];
  /** The estimated cost of evaluating the constraints for one request (see {@link RouteStrategy.cost}). */
  readonly cost: number;
}

/**
 * STRATEGY_LEAST_LOADED: among the candidates that pass every constraint, the power of two choices by requests
 * in flight (the context's `load`): two candidates drawn with the injected random source, the less loaded one
 * serves (the first drawn on a tie), so load spills from a busy model to an idle one without every router
 * herding onto the same model. The other passing candidates become fallbacks ordered by load, least loaded
 * first (target order on a tie), so a retry after RESOURCE_EXHAUSTED goes to a less loaded model, never back
 * to the saturated one. Every candidate's score is its in_flight. The propensity is the exact probability that
 * the two draws pick the chosen candidate given every passing candidate's load (see {@link twoChoicesProbability}).
 */
export function createLeastLoadedStrategy(config: LeastLoadedConfig): RouteStrategy {
  return {
    name: "least_loaded",
    cost: config.cost,
    choose(candidates, context): StrategyChoice {
      const { rejected, failedConstraints, passing } = screenCandidates(config.constraints, candidates, context.stats);
      const scores = candidates.map((candidate) => context.load(candidate.model));
      const loadOf = (index: number): number => scores[index] ?? 0;
      const passingLoad = (i: number): number => loadOf(passing[i] as number);
      const drawn = pickOfTwoChoices(passing.length, passingLoad, context.random);
      const metric = "in_flight";
      if (drawn === undefined) {
        const reason = "every target fails the route's constraints";
        return { index: undefined, reason, propensity: 1, rejected, failedConstraints, scores, metric };
      }
      const index = passing[drawn] as number;
      const propensity = twoChoicesProbability(passing.length, passingLoad, drawn);
      const winner = (candidates[index] as StrategyCandidate).model.name;
      const fallbackOrder = passing.filter((i) => i !== index).sort((a, b) => loadOf(a) - loadOf(b) || a - b);
      const notChosen = new Map<number, string>();
      for (const i of context.explain ? fallbackOrder : []) {
        notChosen.set(i, `not chosen by strategy least_loaded: in_flight ${loadOf(i)} against ${winner}'s ${loadOf(index)}`);
      }
      const reason =
        passing.length === 1
          ? `the only candidate that passes the constraints, in_flight ${loadOf(index)} (strategy least_loaded)`
          : `the less loaded of two of ${passing.length} candidates drawn at random, in_flight ${loadOf(index)} (strategy least_loaded)`;
      return { index, reason, propensity, notChosen, rejected, failedConstraints, scores, metric, fallbackOrder };
    },
  };
}
