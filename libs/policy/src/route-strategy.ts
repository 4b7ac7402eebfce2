import type { InputProfile, Model, RequestContext } from "@modelrouter/contracts";
import type { BanditStates } from "./bandit-state.js";
import type { CandidateStatsProvider } from "./candidate-stats.js";
import type { Activation } from "./cel-values.js";

/** An eligible model version from a route's targets, in target order. */
export interface StrategyCandidate {
  readonly model: Model;
  /** Where the candidate came from in the policy, for example "rules[0].route.targets[1]". */
  readonly source: string;
}

/** What a strategy may base its choice on. Everything is passed in, so a choice is reproducible. */
export interface StrategyContext {
  readonly profile: InputProfile;
  readonly context: RequestContext | undefined;
  /** A source of uniform numbers in [0, 1), for strategies that split traffic at random. */
  readonly random: () => number;
  /** The latency, quality and cost figures of a candidate, for strategies that rank candidates. */
  readonly stats: CandidateStatsProvider;
  /** A candidate's requests in flight, as the caller reports them, for STRATEGY_LEAST_LOADED (0: none). */
  readonly load: (model: Model) => number;
  /**
   * Whether the choice will be explained: when false, a strategy may leave out `notChosen` (the notes on the
   * other candidates), which only explanations read.
   */
  readonly explain: boolean;
  /**
   * The deciding policy and rule, "<policy>/<rule>" ("<policy>/default" for the default route): the start of a
   * bandit's key. Absent: "".
   */
  readonly route?: string | undefined;
  /** What the bandits have learned, by key, for STRATEGY_BANDIT. Absent: every bandit at its prior. */
  readonly bandits?: BanditStates | undefined;
  /** The request's values of `input`, `request` and `now`, for strategies that evaluate expressions (bandit features). */
  readonly activation?: (() => Activation) | undefined;
}

/** The strategy's pick, and why, for the explanation. */
export interface StrategyChoice {
  /** An index into the candidates; undefined when none may serve (every one failed a constraint). */
  readonly index: number | undefined;
  /** Why the target was chosen, for the explanation (may be empty when `context.explain` is false). */
  readonly reason: string;
  /**
   * The probability, in (0, 1], with which the strategy picks `index` given the request and the candidates'
   * state, computed exactly: 1 for a deterministic choice (and when `index` is undefined). Recorded with the
   * decision for off-policy evaluation.
   */
  readonly propensity: number;
  /** Why each other candidate was not chosen, by index. They stay fallbacks, in target order. */
  readonly notChosen?: ReadonlyMap<number, string>;
  /** Candidates that may not serve this request (a constraint failed), by index, with the reason. */
  readonly rejected?: ReadonlyMap<number, string>;
  /** For each rejected candidate, by index, the constraint it failed as written in the policy. */
  readonly failedConstraints?: ReadonlyMap<number, string>;
  /** The figure each candidate was ranked by, by index (see {@link StrategyChoice.metric}). */
  readonly scores?: readonly number[];
  /** What the scores measure, for example "accuracy" or "in_flight"; empty when the strategy does not score. */
  readonly metric?: string;
  /**
   * What each candidate's score measures, by index, when that differs between candidates (a live figure for
   * some, a declared one for others, for example "live_p50_latency_ms"); absent: `metric` for every one.
   */
  readonly metrics?: readonly string[] | undefined;
  /**
   * The order the candidates that are not chosen (nor rejected) take as fallbacks, as indexes; absent: target
   * order. STRATEGY_LEAST_LOADED orders them by load, least loaded first.
   */
  readonly fallbackOrder?: readonly number[];
  /** For a weighted split: what the arm was chosen by (`request.user_id`, `metadata.cohort`); empty when at random. */
  readonly splitKey?: string;
  /**
   * True when the strategy returns this very object for every request over the same candidate list (the
   * choice depends on nothing else), so a caller may cache what it derives from it, keyed by the object.
   */
  readonly stable?: boolean;
  /** For STRATEGY_BANDIT: the bandit's key (`RoutingDecision.bandit`). */
  readonly bandit?: string;
  /** For STRATEGY_BANDIT with features: the request's feature values, in declaration order. */
  readonly features?: readonly number[];
}

/**
 * Picks the target among a route's eligible target candidates (never an empty list). The other eligible
 * candidates, except those it rejects, become fallbacks in target order (or in its `fallbackOrder`).
 */
export interface RouteStrategy {
  /** The strategy's name in explanations, for example "first". */
  readonly name: string;
  /**
   * The estimated cost, in cost units, of the strategy's own expressions (constraints) for one request:
   * counted in the policy's cost. 0 for strategies without expressions.
   */
  readonly cost: number;
  choose(candidates: readonly StrategyCandidate[], context: StrategyContext): StrategyChoice;
}

const FIRST_CHOICE: StrategyChoice = { index: 0, reason: "the first eligible target (strategy first)", propensity: 1 };

/** STRATEGY_FIRST: the first eligible candidate, in target order (propensity 1). */
export function createFirstStrategy(): RouteStrategy {
  return {
    name: "first",
    cost: 0,
    choose: () => FIRST_CHOICE,
  };
}
