import { type CompiledConstraint, failedConstraint } from "./candidate-constraints.js";
import type { CandidateStats } from "./candidate-stats.js";
import { CandidateValue } from "./candidate-values.js";
import type { RouteStrategy, StrategyChoice } from "./route-strategy.js";

/** What a ranking strategy compares, and which way. */
export interface RankedConfig {
  /** The strategy's name: "best", "fastest" or "cheapest". */
  readonly name: string;
  /** The figure's name in explanations, for example "accuracy" or "p50_latency_ms". */
  readonly figure: string;
  readonly read: (stats: CandidateStats) => number;
  /**
   * "higher": the highest figure wins. "lower": the lowest figure above 0 wins, and 0 means the model declares
   * none, so it ranks after every model that declares one.
   */
  readonly prefer: "higher" | "lower";
  /** Every constraint a candidate must pass to be chosen or be a fallback. */
  readonly constraints: readonly CompiledConstraint[];
  /** The estimated cost of evaluating the constraints for one request (see {@link RouteStrategy.cost}). */
  readonly cost: number;
}

interface Ranked {
  readonly index: number;
  readonly name: string;
  readonly value: number;
}

/**
 * STRATEGY_BEST, STRATEGY_FASTEST and STRATEGY_CHEAPEST: among the candidates that pass every constraint, the
 * one with the best figure from the statistics provider; ties go to the earlier target. A candidate that fails
 * a constraint is rejected (neither target nor fallback) with the failing expression as its reason; the other
 * candidates that pass remain fallbacks, each with its figure against the winner's.
 */
export function createRankedStrategy(config: RankedConfig): RouteStrategy {
  const declared = (value: number): boolean => config.prefer === "higher" || value > 0;
  const beats = (a: Ranked, b: Ranked): boolean => {
    if (declared(a.value) !== declared(b.value)) return declared(a.value);
    return config.prefer === "higher" ? a.value > b.value : a.value < b.value;
  };
  return {
    name: config.name,
    cost: config.cost,
    choose(candidates, context): StrategyChoice {
      const rejected = new Map<number, string>();
      const passing: Ranked[] = [];
      candidates.forEach((candidate, index) => {
        const stats = context.stats(candidate.model);
        const failure = failedConstraint(config.constraints, new CandidateValue(candidate.model, stats));
        if (failure === undefined) passing.push({ index, name: candidate.model.name, value: config.read(stats) });
        else rejected.set(index, failure);
      });
      const winner = passing.reduce<Ranked | undefined>((best, r) => (best === undefined || beats(r, best) ? r : best), undefined);
      if (winner === undefined) {
        return { index: undefined, reason: "every target fails the route's constraints", rejected };
      }
      const describe = (r: Ranked): string =>
        declared(r.value) ? `${config.figure} ${r.value}` : `declares no ${config.figure}`;
      const notChosen = new Map<number, string>();
      for (const r of passing) {
        if (r === winner) continue;
        const comparison = beats(winner, r) ? "" : ", a tie: the earlier target wins";
        const against = declared(winner.value) ? `${winner.name}'s ${winner.value}` : `${winner.name}, which neither does`;
        notChosen.set(r.index, `not chosen by strategy ${config.name}: ${describe(r)} against ${against}${comparison}`);
      }
      const superlative = config.prefer === "higher" ? "highest" : "lowest";
      const reason = declared(winner.value)
        ? `the ${superlative} ${config.figure} (${winner.value}) of ${passing.length} candidate(s) that pass the constraints (strategy ${config.name})`
        : `no candidate declares ${config.figure}: the first of ${passing.length} that pass the constraints (strategy ${config.name})`;
      return { index: winner.index, reason, notChosen, rejected };
    },
  };
}
