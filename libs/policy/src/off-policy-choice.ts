import { isDomainError } from "@modelrouter/errors";
import { evaluatePolicies } from "./evaluate-policies.js";
import type { EvaluationInput } from "./evaluation-types.js";
import { seededRandom } from "./seeded-random.js";

/** How {@link choiceDistribution} found a request's probabilities. */
export type ChoiceMethod =
  /** The policies decided no model (NO_ROUTE, NO_SERVABLE_MODEL): every probability is 0. */
  | "undecided"
  /** The choice does not depend on chance (propensity 1, or no random number drawn): the target has probability 1. */
  | "deterministic"
  /** Repeated draws found arms whose exact propensities add up to 1 (weighted split, least loaded). */
  | "exact"
  /** The draws' propensities never added up to 1: each arm's share of the draws (an approximation). */
  | "sampled";

/** The probability of each model version (`name@version`) being a request's target, and how it was found. */
export interface ChoiceDistribution {
  readonly probabilities: ReadonlyMap<string, number>;
  readonly method: ChoiceMethod;
}

/** The draws {@link choiceDistribution} makes at most for a random choice. */
export const CHOICE_DRAWS = 64;

/** The key of a model version in a {@link ChoiceDistribution}: `name@version`. */
export function actionKey(name: string, version: string): string {
  return `${name}@${version}`;
}

/**
 * π(·|x): the probability with which `input.policies` choose each model version as the target of one request.
 * The policies are evaluated (without explanation) with a seeded random source: when the choice draws no random
 * number or its propensity is 1 (rules, first, best, fastest, cheapest, a weighted split by a sticky key) the
 * target has probability 1. Otherwise (a weighted split at random, least loaded, a bandit) it is evaluated again,
 * up to {@link CHOICE_DRAWS} times, keeping each target's exact propensity (`RoutingDecision.propensity`); once
 * the arms found add up to 1, those propensities are the distribution, exactly (for a 50/50 split, two or three
 * draws). When they never do (a strategy whose propensity is not the arm's probability), each arm's share of the
 * draws is used. Same input and seed, same distribution.
 *
 * @throws what `evaluatePolicies` throws, except the DomainErrors of an undecided request (NO_ROUTE,
 *   NO_SERVABLE_MODEL, POLICY_NOT_FOUND), which give the "undecided" distribution.
 */
export function choiceDistribution(input: Omit<EvaluationInput, "random" | "explain">, seed = 1): ChoiceDistribution {
  const random = seededRandom(seed);
  let calls = 0;
  const counting = (): number => {
    calls++;
    return random();
  };
  const first = decide(input, counting);
  if (first === undefined) return { probabilities: new Map(), method: "undecided" };
  if (first.propensity >= 1 || calls === 0) return { probabilities: new Map([[first.action, 1]]), method: "deterministic" };
  const propensities = new Map<string, number>([[first.action, first.propensity]]);
  const counts = new Map<string, number>([[first.action, 1]]);
  let found = first.propensity;
  for (let draw = 1; draw < CHOICE_DRAWS && found < 1 - 1e-9; draw++) {
    const next = decide(input, random);
    if (next === undefined) continue;
    counts.set(next.action, (counts.get(next.action) ?? 0) + 1);
    if (!propensities.has(next.action)) {
      propensities.set(next.action, next.propensity);
      found += next.propensity;
    }
  }
  if (found >= 1 - 1e-9) return { probabilities: propensities, method: "exact" };
  const draws = [...counts.values()].reduce((sum, count) => sum + count, 0);
  return { probabilities: new Map([...counts].map(([action, count]) => [action, count / draws])), method: "sampled" };
}

function decide(input: Omit<EvaluationInput, "random" | "explain">, random: () => number): { action: string; propensity: number } | undefined {
  try {
    const { decision, target } = evaluatePolicies({ ...input, random, explain: false });
    return { action: actionKey(target.name, target.version), propensity: decision.propensity };
  } catch (error) {
    if (isDomainError(error)) return undefined;
    throw error;
  }
}
