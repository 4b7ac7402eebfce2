import { CandidateRole, type Model } from "@modelrouter/contracts";
import type { CompiledRoute } from "./compiled-policy.js";
import type { Candidate, RouteResolution } from "./route-resolution.js";
import type { StrategyChoice, StrategyContext } from "./route-strategy.js";

/** A candidate that can serve the request. */
export type EligibleCandidate = Candidate & { readonly model: Model };

/** What became of one candidate, for the explanation. */
export interface CandidateOutcome {
  readonly candidate: Candidate;
  readonly role: CandidateRole;
  readonly reason: string;
  /** The figure the strategy ranked it by, when the strategy scores candidates (see {@link RouteChoice.metric}). */
  readonly score?: number | undefined;
  /** What `score` measures when it differs from the route's {@link RouteChoice.metric} (a live figure). */
  readonly metric?: string | undefined;
  /** For a candidate a constraint rejected: the constraint that failed, as written. */
  readonly failedConstraint?: string | undefined;
}

/** The route's outcome: the target (if any candidate is eligible), the fallbacks, and every candidate's role. */
export interface RouteChoice {
  readonly target: EligibleCandidate | undefined;
  readonly fallbacks: readonly EligibleCandidate[];
  readonly outcomes: readonly CandidateOutcome[];
  /** What the outcomes' scores measure ("accuracy", "in_flight", "weight"); empty when the strategy does not score. */
  readonly metric: string;
  /** For a weighted split: what the arm was chosen by; empty when at random or for other strategies. */
  readonly splitKey: string;
  /**
   * The probability with which the target was chosen given the request (see `StrategyChoice.propensity`):
   * the strategy's, or 1 when the first eligible fallback serves because no target may.
   */
  readonly propensity: number;
  /** For STRATEGY_BANDIT: the bandit's key; empty for other strategies (see `StrategyChoice.bandit`). */
  readonly bandit?: string;
  /** For STRATEGY_BANDIT with features: the request's feature values; empty otherwise. */
  readonly features?: readonly number[];
}

function isEligible(candidate: Candidate): candidate is EligibleCandidate {
  return candidate.rejection === undefined && candidate.model !== undefined;
}

/** A resolution's eligible candidates, split into targets and fallbacks, and the repeats of a model already listed. */
interface Partition {
  readonly eligibleTargets: readonly EligibleCandidate[];
  readonly eligibleFallbacks: readonly EligibleCandidate[];
  readonly duplicates: ReadonlyMap<Candidate, string>;
}

/** Resolutions are immutable and reused per catalogue, so each is partitioned once. */
const partitions = new WeakMap<RouteResolution, Partition>();

function partitionOf(resolution: RouteResolution): Partition {
  const cached = partitions.get(resolution);
  if (cached !== undefined) return cached;
  const firstSource = new Map<string, string>();
  const eligibleTargets: EligibleCandidate[] = [];
  const eligibleFallbacks: EligibleCandidate[] = [];
  const duplicates = new Map<Candidate, string>();
  for (const candidate of resolution.candidates) {
    if (!isEligible(candidate)) continue;
    const first = firstSource.get(candidate.name);
    if (first !== undefined) {
      duplicates.set(candidate, `model ${candidate.name} is already a candidate (${first})`);
      continue;
    }
    firstSource.set(candidate.name, candidate.source);
    (candidate.list === "targets" ? eligibleTargets : eligibleFallbacks).push(candidate);
  }
  const partition = { eligibleTargets, eligibleFallbacks, duplicates };
  partitions.set(resolution, partition);
  return partition;
}

/**
 * Assigns roles: the route's strategy picks the target among the eligible candidates of `targets` (when none
 * is eligible, or the strategy rejects them all, the first eligible fallback serves); the fallbacks are the
 * other eligible targets the strategy did not reject, in target order (or the strategy's `fallbackOrder`),
 * then the eligible fallbacks in order. A model name appears at most once: a later candidate of a model
 * already listed is not chosen, so the target never reappears among the fallbacks. With `context.explain`,
 * every candidate's outcome (role, reason, score, failed constraint) is listed, each fallback target with the
 * strategy's note on why it was not chosen; without it, `outcomes` is empty. The propensity is the strategy's
 * for its target, or 1 when a fallback serves in its place (that choice is deterministic).
 */
export function chooseRoute(route: CompiledRoute, resolution: RouteResolution, context: StrategyContext): RouteChoice {
  const { eligibleTargets, eligibleFallbacks } = partitionOf(resolution);
  if (eligibleTargets.length === 0) {
    const target = eligibleFallbacks[0];
    const fallbacks = eligibleFallbacks.slice(1);
    const reason = "no target is eligible: the first eligible fallback";
    const outcomes = context.explain ? explainOutcomes(resolution, target, reason, fallbacks, undefined) : [];
    return { target, fallbacks, outcomes, metric: "", splitKey: "", propensity: 1, bandit: "", features: [] };
  }
  const choice = route.strategy.choose(eligibleTargets, context);
  const index = choice.index;
  const valid = index !== undefined && Number.isInteger(index) && index >= 0 && index < eligibleTargets.length;
  let target = valid ? eligibleTargets[index] : undefined;
  let targetReason = choice.reason;
  const fallbacks: EligibleCandidate[] = [];
  if (target !== undefined) {
    const order = choice.fallbackOrder;
    const count = order === undefined ? eligibleTargets.length : order.length;
    for (let k = 0; k < count; k++) {
      const i = order === undefined ? k : (order[k] as number);
      if (i === index || choice.rejected?.has(i) === true) continue;
      const candidate = eligibleTargets[i];
      if (candidate !== undefined) fallbacks.push(candidate);
    }
    for (const candidate of eligibleFallbacks) fallbacks.push(candidate);
  } else {
    target = eligibleFallbacks[0];
    targetReason = `${targetReason}: the first eligible fallback`;
    for (let k = 1; k < eligibleFallbacks.length; k++) fallbacks.push(eligibleFallbacks[k] as EligibleCandidate);
  }
  let outcomes: readonly CandidateOutcome[] = [];
  if (context.explain) {
    outcomes = choice.stable === true ? stableOutcomes.get(choice) ?? [] : [];
    if (outcomes.length === 0) {
      outcomes = explainOutcomes(resolution, target, targetReason, fallbacks, choice);
      if (choice.stable === true) stableOutcomes.set(choice, outcomes);
    }
  }
  const propensity = valid ? choice.propensity : 1;
  const bandit = valid ? (choice.bandit ?? "") : "";
  const features = valid ? (choice.features ?? []) : [];
  return {
    target,
    fallbacks,
    outcomes,
    metric: choice.metric ?? "",
    splitKey: choice.splitKey ?? "",
    propensity,
    bandit,
    features,
  };
}

/**
 * The outcomes of stable choices (see `StrategyChoice.stable`): a stable choice is made over one resolution's
 * candidate list, and the outcomes follow from the resolution and the choice alone.
 */
const stableOutcomes = new WeakMap<StrategyChoice, readonly CandidateOutcome[]>();

function explainOutcomes(
  resolution: RouteResolution,
  target: EligibleCandidate | undefined,
  targetReason: string,
  fallbacks: readonly EligibleCandidate[],
  choice: StrategyChoice | undefined,
): CandidateOutcome[] {
  const { eligibleTargets, duplicates } = partitionOf(resolution);
  const targetIndex = new Map<Candidate, number>(eligibleTargets.map((c, i) => [c, i]));
  const fallbackIndex = new Map<Candidate, number>(fallbacks.map((c, i) => [c, i]));
  return resolution.candidates.map((candidate): CandidateOutcome => {
    const at = choice === undefined ? undefined : targetIndex.get(candidate);
    const score = at === undefined ? undefined : choice?.scores?.[at];
    const metric = at === undefined ? undefined : choice?.metrics?.[at];
    if (candidate === target) return { candidate, role: CandidateRole.TARGET, reason: targetReason, score, metric };
    const position = fallbackIndex.get(candidate);
    if (position !== undefined) {
      const note = at === undefined ? undefined : choice?.notChosen?.get(at);
      const order = `fallback ${position + 1} of ${fallbacks.length}`;
      const reason = note === undefined ? order : `${order}; ${note}`;
      return { candidate, role: CandidateRole.FALLBACK, reason, score, metric };
    }
    const failed = at === undefined ? undefined : choice?.rejected?.get(at);
    if (failed !== undefined) {
      const failedConstraint = at === undefined ? undefined : choice?.failedConstraints?.get(at);
      return { candidate, role: CandidateRole.REJECTED, reason: failed, score, metric, failedConstraint };
    }
    const duplicate = duplicates.get(candidate);
    if (duplicate !== undefined) return { candidate, role: CandidateRole.NOT_CHOSEN, reason: duplicate };
    return { candidate, role: CandidateRole.REJECTED, reason: candidate.rejection ?? "not eligible" };
  });
}
