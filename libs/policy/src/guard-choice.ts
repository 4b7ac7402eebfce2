import { CandidateRole, type Model } from "@modelrouter/contracts";
import type { CompiledRoute } from "./compiled-policy.js";
import { type CandidateOutcome, type EligibleCandidate, type RouteChoice, chooseRoute } from "./route-choice.js";
import type { Candidate, RouteResolution } from "./route-resolution.js";
import type { StrategyContext } from "./route-strategy.js";

/** What a route's guard says of one candidate now. */
export interface GuardVerdict {
  readonly degraded: boolean;
  /** Why, for Explain ("error rate 0.48 over 212 attempts > max_error_rate 0.1 (held 3 of 30 s)"). */
  readonly reason: string;
}

/**
 * The health of guarded candidates, by policy name, rule name ("" for the default route) and model version:
 * undefined (or not degraded) for a healthy one. Supplied by the decision engine's guard tracker as an
 * immutable view, so one decision sees one set of states.
 */
export type GuardHealth = (policy: string, rule: string, model: Model) => GuardVerdict | undefined;

/** The degraded eligible candidates of a resolution, with their reasons, and how many are eligible. */
function degradedOf(resolution: RouteResolution, health: (model: Model) => GuardVerdict | undefined) {
  const degraded = new Map<Candidate, string>();
  let eligible = 0;
  for (const candidate of resolution.candidates) {
    if (candidate.rejection !== undefined || candidate.model === undefined) continue;
    eligible++;
    const verdict = health(candidate.model);
    if (verdict?.degraded === true) degraded.set(candidate, verdict.reason);
  }
  return { degraded, eligible };
}

interface Screened {
  readonly key: string;
  readonly resolution: RouteResolution;
}

/** The last screened resolution of each resolution: degraded sets change per health poll, not per request. */
const screenedCache = new WeakMap<RouteResolution, Screened>();

/** The resolution with the degraded candidates rejected, so that the strategy chooses among the others. */
function screened(resolution: RouteResolution, degraded: ReadonlyMap<Candidate, string>): RouteResolution {
  const key = [...degraded.keys()].map((c) => `${c.source}\u0000${c.name}@${c.version}`).join("\u0001");
  const cached = screenedCache.get(resolution);
  if (cached?.key === key) return cached.resolution;
  const candidates = resolution.candidates.map((c) => (degraded.has(c) ? { ...c, rejection: "degraded" } : c));
  const result = { candidates, emptySelectors: resolution.emptySelectors };
  screenedCache.set(resolution, { key, resolution: result });
  return result;
}

function noted(outcomes: readonly CandidateOutcome[], degraded: ReadonlyMap<Candidate, string>, suffix: string): CandidateOutcome[] {
  return outcomes.map((outcome) => {
    const reason = degraded.get(outcome.candidate);
    if (reason === undefined) return outcome;
    if (outcome.role === CandidateRole.TARGET || outcome.role === CandidateRole.FALLBACK) {
      return { ...outcome, reason: `${outcome.reason}; degraded: ${reason}${suffix}` };
    }
    return { ...outcome, role: CandidateRole.NOT_CHOSEN, reason: `degraded: ${reason}${suffix}` };
  });
}

/**
 * Chooses a guarded route's target and fallbacks (see `chooseRoute`), keeping degraded candidates out of the
 * strategy's choice. With no guard, no health view or no degraded candidate, it is `chooseRoute` itself. Else
 * one uniform number is drawn first (when a degraded candidate is one of the route's targets): below the
 * guard's `probe_share`, the request probes a degraded target (each with equal chance; the propensity is
 * probe_share / their count) and the healthy choice follows as its fallbacks; otherwise the strategy chooses among the healthy candidates as usual (its propensity multiplied by
 * 1 − probe_share) and the degraded candidates become the last fallbacks. When every eligible candidate is
 * degraded, or the strategy may serve none of the healthy ones, the route is chosen as if none were degraded.
 * Explain shows each degraded candidate's reason after its role (`degraded: …`).
 */
export function chooseGuardedRoute(
  route: CompiledRoute,
  resolution: RouteResolution,
  context: StrategyContext,
  health: ((model: Model) => GuardVerdict | undefined) | undefined,
): RouteChoice {
  const guard = route.guard;
  if (guard === undefined || health === undefined) return chooseRoute(route, resolution, context);
  const { degraded, eligible } = degradedOf(resolution, health);
  if (degraded.size === 0) return chooseRoute(route, resolution, context);
  const asIfHealthy = (): RouteChoice => {
    const choice = chooseRoute(route, resolution, context);
    if (!context.explain) return choice;
    return { ...choice, outcomes: noted(choice.outcomes, degraded, " (no healthy candidate may serve: chosen as if none were degraded)") };
  };
  if (degraded.size === eligible) return asIfHealthy();
  const seen = new Set<string>();
  const demoted: EligibleCandidate[] = [];
  for (const candidate of degraded.keys()) {
    if (seen.has(candidate.name)) continue;
    seen.add(candidate.name);
    demoted.push(candidate as EligibleCandidate);
  }
  const probes = demoted.filter((c) => c.list === "targets");
  const draw = probes.length === 0 ? 1 : context.random();
  const healthyResolution = screened(resolution, degraded);
  const healthy = chooseRoute(route, healthyResolution, context);
  if (healthy.target === undefined) return asIfHealthy();
  const probe = draw < guard.probeShare ? probes[Math.min(probes.length - 1, Math.floor((draw / guard.probeShare) * probes.length))] : undefined;
  const target = probe ?? healthy.target;
  const fallbacks =
    probe === undefined
      ? [...healthy.fallbacks, ...demoted]
      : [healthy.target, ...healthy.fallbacks, ...demoted.filter((c) => c !== probe)];
  const propensity =
    probe !== undefined ? guard.probeShare / probes.length : probes.length === 0 ? healthy.propensity : healthy.propensity * (1 - guard.probeShare);
  const outcomes = context.explain ? guardedOutcomes(resolution, healthy, target, fallbacks, degraded, guard.probeShare, probes.length) : [];
  return { ...healthy, target, fallbacks, outcomes, propensity };
}

const FALLBACK_PREFIX = /^fallback \d+ of \d+(; )?/;

/**
 * The outcomes of a guarded choice, from the healthy choice's (made over the screened resolution, whose
 * candidates are the original's in the same order): roles and fallback positions as finally chosen, scores and
 * notes as the strategy gave them, each degraded candidate with its reason.
 */
function guardedOutcomes(
  resolution: RouteResolution,
  healthy: RouteChoice,
  target: EligibleCandidate,
  fallbacks: readonly EligibleCandidate[],
  degraded: ReadonlyMap<Candidate, string>,
  probeShare: number,
  probes: number,
): CandidateOutcome[] {
  const position = new Map<Candidate, number>(fallbacks.map((c, i) => [c, i]));
  const outcomes = resolution.candidates.map((candidate, i): CandidateOutcome => {
    const before = healthy.outcomes[i];
    const base: CandidateOutcome = before === undefined ? { candidate, role: CandidateRole.NOT_CHOSEN, reason: "" } : { ...before, candidate };
    if (candidate === target) {
      if (candidate === healthy.target) return base;
      const reason = `a probe of a degraded candidate (probe_share ${probeShare} of requests, shared by ${probes})`;
      return { candidate, role: CandidateRole.TARGET, reason };
    }
    const at = position.get(candidate);
    if (at === undefined) return base;
    const order = `fallback ${at + 1} of ${fallbacks.length}`;
    const note =
      candidate === healthy.target
        ? "the strategy's choice, after this request's probe of a degraded candidate"
        : base.role === CandidateRole.FALLBACK
          ? base.reason.replace(FALLBACK_PREFIX, "")
          : "";
    return { ...base, role: CandidateRole.FALLBACK, reason: note === "" ? order : `${order}; ${note}` };
  });
  return noted(outcomes, degraded, "");
}
