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
 * is eligible, or the strategy rejects them all, the first eligible fallback serves); the fallbacks are the
 * other eligible targets the strategy did not reject, in order, each with the strategy's note on why it was
 * not chosen, then the eligible fallbacks in order. A model name appears at most once: a later candidate of a model
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
  let notChosen: ReadonlyMap<number, string> = new Map();
  const rejected = new Map<Candidate, string>();
  let servingTargets: EligibleCandidate[] = eligibleTargets;
  if (eligibleTargets.length > 0) {
    const options: StrategyCandidate[] = eligibleTargets;
    const choice = route.strategy.choose(options, context);
    for (const [i, reason] of choice.rejected ?? []) {
      const candidate = eligibleTargets[i];
      if (candidate !== undefined) rejected.set(candidate, reason);
    }
    const index = choice.index;
    const valid = index !== undefined && Number.isInteger(index) && index >= 0 && index < options.length;
    target = valid ? eligibleTargets[index] : undefined;
    targetReason = choice.reason;
    notChosen = choice.notChosen ?? notChosen;
    servingTargets = eligibleTargets.filter((c) => c !== target && !rejected.has(c));
  }
  let fallbacks: EligibleCandidate[];
  if (target !== undefined) {
    fallbacks = [...servingTargets, ...eligibleFallbacks];
  } else {
    target = eligibleFallbacks[0];
    targetReason =
      eligibleTargets.length === 0
        ? "no target is eligible: the first eligible fallback"
        : `${targetReason}: the first eligible fallback`;
    fallbacks = eligibleFallbacks.slice(1);
  }

  const targetNotes = new Map<Candidate, string>();
  for (const [i, note] of notChosen) {
    const candidate = eligibleTargets[i];
    if (candidate !== undefined) targetNotes.set(candidate, note);
  }
  const fallbackIndex = new Map<Candidate, number>(fallbacks.map((c, i) => [c, i]));
  const outcomes = resolution.candidates.map((candidate): CandidateOutcome => {
    if (candidate === target) return { candidate, role: CandidateRole.TARGET, reason: targetReason };
    const position = fallbackIndex.get(candidate);
    if (position !== undefined) {
      const note = targetNotes.get(candidate);
      const order = `fallback ${position + 1} of ${fallbacks.length}`;
      return { candidate, role: CandidateRole.FALLBACK, reason: note === undefined ? order : `${order}; ${note}` };
    }
    const failed = rejected.get(candidate);
    if (failed !== undefined) return { candidate, role: CandidateRole.REJECTED, reason: failed };
    const duplicate = duplicates.get(candidate);
    if (duplicate !== undefined) return { candidate, role: CandidateRole.NOT_CHOSEN, reason: duplicate };
    return { candidate, role: CandidateRole.REJECTED, reason: candidate.rejection ?? "not eligible" };
  });
  return { target, fallbacks, outcomes };
}
