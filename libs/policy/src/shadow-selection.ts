import { CandidateRole, type Modality } from "@modelrouter/contracts";
import type { CompiledRoute } from "./compiled-policy.js";
import type { ModelCatalogue } from "./model-catalogue.js";
import type { CandidateOutcome, EligibleCandidate } from "./route-choice.js";
import { resolveRoute } from "./route-resolution.js";
import type { CompiledShadow } from "./shadow-compile.js";

/** The shadows of one decision: the ones to mirror the request to, and every shadow's outcome for the explanation. */
export interface ShadowChoice {
  readonly mirrored: readonly EligibleCandidate[];
  readonly outcomes: readonly CandidateOutcome[];
}

/** What a shadow selection needs besides the route. */
export interface ShadowContext {
  readonly catalogue: ModelCatalogue;
  readonly modality: Modality;
  /** The request's tenant: a model of another tenant is never its shadow. Default "" (no tenant). */
  readonly tenant?: string;
  /** Uniform numbers in [0, 1); drawn once per shadow whose share is below 1, in the route's order. */
  readonly random: () => number;
  /** The models that serve or may serve this request (the target and fallbacks): never also a shadow. */
  readonly serves: (model: string) => boolean;
}

const NO_SHADOWS: ShadowChoice = Object.freeze({ mirrored: [], outcomes: [] });

function shareText(share: number): string {
  return share >= 1 ? "every request" : `share ${share}`;
}

/**
 * Picks the shadows one request is mirrored to: each of the route's shadows is sampled by its `share`,
 * then resolved against the catalogue as a target is (a named version, else the latest ACTIVE or DEPRECATED
 * one; the input's modality). A shadow that is not sampled, not servable, or that a selector made one of
 * the serving models is skipped with its reason; none ever fails the decision. Pure: randomness comes from
 * `context.random`.
 */
export function chooseShadows(route: CompiledRoute, context: ShadowContext): ShadowChoice {
  const shadows: readonly CompiledShadow[] = route.shadows ?? [];
  if (shadows.length === 0) return NO_SHADOWS;
  const sampled = shadows.map((shadow) => shadow.share >= 1 || context.random() < shadow.share);
  const resolution = resolveRoute(
    {
      path: route.path,
      strategy: route.strategy,
      fallbacks: [],
      targets: shadows.map((s) => ({ kind: "model", name: s.name, version: s.version, source: s.source })),
    },
    context.catalogue,
    context.modality,
    context.tenant ?? "",
  );
  const mirrored: EligibleCandidate[] = [];
  const outcomes = resolution.candidates.map((candidate, i): CandidateOutcome => {
    const share = shareText(shadows[i]?.share ?? 1);
    if (sampled[i] !== true) {
      return { candidate, role: CandidateRole.NOT_CHOSEN, reason: `shadow (${share}): this request was not sampled` };
    }
    if (candidate.rejection !== undefined || candidate.model === undefined) {
      return { candidate, role: CandidateRole.REJECTED, reason: `shadow skipped: ${candidate.rejection ?? "not eligible"}` };
    }
    if (context.serves(candidate.name)) {
      return { candidate, role: CandidateRole.REJECTED, reason: "shadow skipped: the model already serves this request" };
    }
    mirrored.push(candidate as EligibleCandidate);
    return { candidate, role: CandidateRole.SHADOW, reason: `shadow (${share}): mirrored, compared, never returned` };
  });
  return { mirrored, outcomes };
}
