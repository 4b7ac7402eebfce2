import type { CompiledConstraint } from "./candidate-constraints.js";
import { type CandidateScreening, screenCandidates } from "./candidate-screening.js";
import { isSnapshotStats } from "./candidate-stats.js";
import type { FigureReader, RankedFigure } from "./ranked-figures.js";
import type { RouteStrategy, StrategyCandidate, StrategyChoice } from "./route-strategy.js";

/** What a ranking strategy compares, and which way. */
export interface RankedConfig {
  /** The strategy's name: "best", "fastest" or "cheapest". */
  readonly name: string;
  /** The figure's name in explanations, for example "accuracy" or "p50_latency_ms". */
  readonly figure: string;
  /** A candidate's figure from its statistics: declared, or live once it rests on enough samples. */
  readonly read: FigureReader;
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

/**
 * STRATEGY_BEST, STRATEGY_FASTEST and STRATEGY_CHEAPEST: among the candidates that pass every constraint, the
 * one with the best figure from the statistics provider (for FASTEST and BEST by accuracy, the live figure once it
 * rests on enough samples, else the declared one; the explanation's reasons and metrics say which); ties go
 * to the earlier target. A candidate that fails
 * a constraint is rejected (neither target nor fallback) with the failing expression as its reason; the other
 * candidates that pass remain fallbacks, each with its figure against the winner's. Every candidate's score is
 * its figure. The choice is deterministic: its propensity is 1.
 */
export function createRankedStrategy(config: RankedConfig): RouteStrategy {
  const higher = config.prefer === "higher";
  const declared = (value: number): boolean => higher || value > 0;
  const beats = (a: number, b: number): boolean => {
    if (declared(a) !== declared(b)) return declared(a);
    return higher ? a > b : a < b;
  };
  const choice = (
    screening: CandidateScreening,
    candidates: readonly StrategyCandidate[],
    explain: boolean,
    stable: boolean,
  ): StrategyChoice => {
    const { rejected, failedConstraints, passing } = screening;
    const figures: RankedFigure[] = screening.stats.map(config.read);
    const scores = figures.map((f) => f.value);
    const anyLive = screening.stats.some((stats) => stats.live !== undefined);
    const metrics = figures.some((f) => f.live) ? figures.map((f) => f.metric) : undefined;
    const described = (index: number): string => {
      const figure = figures[index] as RankedFigure;
      return anyLive ? figure.text : `${config.figure} ${figure.value}`;
    };
    let winner: number | undefined;
    for (const index of passing) {
      if (winner === undefined || beats(scores[index] as number, scores[winner] as number)) winner = index;
    }
    const metric = config.figure;
    if (winner === undefined) {
      const reason = "every target fails the route's constraints";
      return { index: undefined, reason, propensity: 1, rejected, failedConstraints, scores, metric, metrics, stable };
    }
    if (!explain) return { index: winner, reason: "", propensity: 1, rejected, failedConstraints, scores, metric, metrics, stable };
    const best = scores[winner] as number;
    const winnerName = (candidates[winner] as StrategyCandidate).model.name;
    const winnerFigure = anyLive ? described(winner) : String(best);
    const against = declared(best) ? `${winnerName}'s ${winnerFigure}` : `${winnerName}, which neither does`;
    const notChosen = new Map<number, string>();
    for (const index of passing) {
      if (index === winner) continue;
      const value = scores[index] as number;
      const figure = declared(value) ? described(index) : `declares no ${config.figure}`;
      const tie = beats(best, value) ? "" : ", a tie: the earlier target wins";
      notChosen.set(index, `not chosen by strategy ${config.name}: ${figure} against ${against}${tie}`);
    }
    const superlative = higher ? "highest" : "lowest";
    const reason = declared(best)
      ? `the ${superlative} ${config.figure} (${winnerFigure}) of ${passing.length} candidate(s) that pass the constraints (strategy ${config.name})`
      : `no candidate declares ${config.figure}: the first of ${passing.length} that pass the constraints (strategy ${config.name})`;
    return { index: winner, reason, propensity: 1, notChosen, rejected, failedConstraints, scores, metric, metrics, stable };
  };
  /**
   * Under snapshot figures (declared, or a live snapshot) a screening is shared while the catalogue and the
   * provider do not change, and the choice depends on nothing else: it is computed once per screening (with
   * and without the explanation's notes).
   */
  const chosen = new WeakMap<CandidateScreening, { lean?: StrategyChoice; explained?: StrategyChoice }>();
  return {
    name: config.name,
    cost: config.cost,
    choose(candidates, context): StrategyChoice {
      const screening = screenCandidates(config.constraints, candidates, context.stats);
      if (!isSnapshotStats(context.stats)) return choice(screening, candidates, context.explain, false);
      let cached = chosen.get(screening);
      if (cached === undefined) {
        cached = {};
        chosen.set(screening, cached);
      }
      if (context.explain) return (cached.explained ??= choice(screening, candidates, true, true));
      return (cached.lean ??= choice(screening, candidates, false, true));
    },
  };
}
