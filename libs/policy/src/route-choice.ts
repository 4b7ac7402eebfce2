import { CandidateRole, type Model } from "@modelrouter/contracts";
import type { CompiledRoute } from "./compiled-policy.js";
import type { Candidate, RouteResolution } from "./route-resolution.js";
import type { StrategyCandidate, StrategyContext } from "./route-strategy.js";

/** A candidate that can serve the request. */
export type EligibleCandidate = Candidate & { readonly model: Model };

/** What became of one candidate, for the explanation. */
export interface CandidateOutcome {
  readonly candidate: Candidate;
  readonly role: CandidateRole;
  readonly reason: string;
}

/** The route's outcome: the target (if any candidate is eligible), the fallbacks, and every candidate's role. */
export interface RouteChoice {
  readonly target: EligibleCandidate | undefined;
  readonly fallbacks: readonly EligibleCandidate[];
  readonly outcomes: readonly CandidateOutcome[];
}

function isEligible(candidate: Candidate): candidate is EligibleCandidate {
  return candidate.rejection === undefined && candidate.model !== undefined;
}

/**
 * Assigns roles: the route's strategy picks the target among the eligible candidates of `targets` (when none
 * is eligible, the first eligible fallback serves); the fallbacks are the other eligible targets in order,
 * then the eligible fallbacks in order. A model name appears at most once: a later candidate of a model
 * already listed is not chosen, so the target never reappears among the fallbacks.
 */
export function chooseRoute(route: CompiledRoute, resolution: RouteResolution, context: StrategyContext): RouteChoice {
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

  let target: EligibleCandidate | undefined;
  let targetReason = "";
  let fallbacks: EligibleCandidate[];
  if (eligibleTargets.length > 0) {
    const options: StrategyCandidate[] = eligibleTargets;
    const choice = route.strategy.choose(options, context);
    const index = Number.isInteger(choice.index) && choice.index >= 0 && choice.index < options.length ? choice.index : 0;
    target = eligibleTargets[index];
    targetReason = choice.reason;
    fallbacks = [...eligibleTargets.filter((_, i) => i !== index), ...eligibleFallbacks];
  } else {
    target = eligibleFallbacks[0];
    targetReason = "no target is eligible: the first eligible fallback";
    fallbacks = eligibleFallbacks.slice(1);
  }

  const fallbackIndex = new Map<Candidate, number>(fallbacks.map((c, i) => [c, i]));
  const outcomes = resolution.candidates.map((candidate): CandidateOutcome => {
    if (candidate === target) return { candidate, role: CandidateRole.TARGET, reason: targetReason };
    const position = fallbackIndex.get(candidate);
    if (position !== undefined) {
      return { candidate, role: CandidateRole.FALLBACK, reason: `fallback ${position + 1} of ${fallbacks.length}` };
    }
    const duplicate = duplicates.get(candidate);
    if (duplicate !== undefined) return { candidate, role: CandidateRole.NOT_CHOSEN, reason: duplicate };
    return { candidate, role: CandidateRole.REJECTED, reason: candidate.rejection ?? "not eligible" };
  });
  return { target, fallbacks, outcomes };
}
