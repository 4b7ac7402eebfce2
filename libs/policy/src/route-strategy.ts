import { type InputProfile, type Model, type RequestContext, Strategy } from "@modelrouter/contracts";

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
}

/** The strategy's pick: an index into the candidates, and why, for the explanation. */
export interface StrategyChoice {
  readonly index: number;
  readonly reason: string;
}

/**
 * Picks the target among a route's eligible target candidates (never an empty list). The other eligible
 * candidates become fallbacks, in target order. New strategies (weighted, least loaded, best, bandit) plug in
 * here, with their own inputs added to {@link StrategyContext}.
 */
export interface RouteStrategy {
  /** The strategy's name in explanations, for example "first". */
  readonly name: string;
  choose(candidates: readonly StrategyCandidate[], context: StrategyContext): StrategyChoice;
}

/** STRATEGY_FIRST: the first eligible candidate, in target order. */
export function createFirstStrategy(): RouteStrategy {
  return {
    name: "first",
    choose: () => ({ index: 0, reason: "the first eligible target (strategy first)" }),
  };
}

/** The implementation of a Strategy enum value (UNSPECIFIED means FIRST); undefined for an unknown value. */
export function strategyFor(strategy: Strategy): RouteStrategy | undefined {
  switch (strategy) {
    case Strategy.UNSPECIFIED:
    case Strategy.FIRST:
      return createFirstStrategy();
    default:
      return undefined;
  }
}
