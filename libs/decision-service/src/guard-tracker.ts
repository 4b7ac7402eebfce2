import type { Model } from "@modelrouter/contracts";
import {
  type CompiledGuard,
  type CompiledPolicy,
  type GuardFigures,
  type GuardHealth,
  type GuardState,
  HEALTHY_GUARD_STATE,
  advanceGuard,
} from "@modelrouter/policy";
import type { Logger } from "@modelrouter/telemetry";

/** One guarded candidate's state, for listings and tests. */
export interface TrackedGuard {
  readonly policy: string;
  /** The rule's name; "" for the default route. */
  readonly rule: string;
  /** "name@version". */
  readonly model: string;
  readonly state: GuardState;
}

/** Where the decision service reads the guards' current health view. */
export interface GuardHealthSource {
  /** The current immutable view; undefined: nothing is degraded. */
  view(): GuardHealth | undefined;
}

/** Advances every guarded (policy, rule, model version) state as new figures arrive. */
export interface GuardTracker extends GuardHealthSource {
  /**
   * Advances the state of every guarded route's candidates (every version with figures, and every one still
   * degraded) to `now`, and replaces the view in one assignment. States of routes no longer guarded are dropped.
   */
  update(policies: readonly CompiledPolicy[], figures: ReadonlyMap<string, GuardFigures>, now: number): void;
  /** The degraded candidates, in policy, rule and model order. */
  degraded(): TrackedGuard[];
}

const NO_FIGURES: GuardFigures = Object.freeze({ attempts: 0, errorRate: 0, p95LatencyMs: 0, latencySamples: 0, labelled: 0, accuracy: 0 });

function stateKey(policy: string, rule: string, model: string): string {
  return `${policy}\u0000${rule}\u0000${model}`;
}

function guardedRoutes(policy: CompiledPolicy): { rule: string; guard: CompiledGuard }[] {
  const routes: { rule: string; guard: CompiledGuard }[] = [];
  for (const rule of policy.rules) if (rule.route.guard !== undefined) routes.push({ rule: rule.name, guard: rule.route.guard });
  if (policy.defaultRoute?.guard !== undefined) routes.push({ rule: "", guard: policy.defaultRoute.guard });
  return routes;
}

/**
 * Creates a tracker with every candidate healthy. Only degraded states are kept (a healthy state carries
 * nothing the next figures do not decide afresh), so the view is one map lookup per candidate. Transitions are
 * logged: a degradation as a warning with its trigger, a recovery as info.
 */
export function createGuardTracker(logger: Logger): GuardTracker {
  const log = logger.child({ component: "guard-tracker" });
  let states = new Map<string, TrackedGuard>();
  let view: GuardHealth | undefined;

  const viewOf = (current: ReadonlyMap<string, TrackedGuard>): GuardHealth | undefined => {
    if (current.size === 0) return undefined;
    const verdicts = new Map([...current].map(([k, t]) => [k, Object.freeze({ degraded: true, reason: t.state.reason })]));
    return (policy: string, rule: string, model: Model) => verdicts.get(stateKey(policy, rule, `${model.name}@${model.version}`));
  };

  return {
    update(policies, figures, now) {
      const next = new Map<string, TrackedGuard>();
      for (const policy of policies) {
        for (const { rule, guard } of guardedRoutes(policy)) {
          const prefix = stateKey(policy.name, rule, "");
          const versions = new Set(figures.keys());
          for (const k of states.keys()) if (k.startsWith(prefix)) versions.add(k.slice(prefix.length));
          for (const model of versions) {
            const k = stateKey(policy.name, rule, model);
            const before = states.get(k)?.state ?? HEALTHY_GUARD_STATE;
            const after = advanceGuard(guard, before, figures.get(model) ?? NO_FIGURES, now);
            if (after.degraded !== before.degraded) {
              const fields = { policy: policy.name, rule, model, reason: after.reason };
              if (after.degraded) log.warn("guarded model degraded: traffic moves to the other candidates", fields);
              else log.info("guarded model recovered: traffic returns", fields);
            }
            if (after.degraded) next.set(k, { policy: policy.name, rule, model, state: after });
          }
        }
      }
      states = next;
      view = viewOf(next);
    },
    view: () => view,
    degraded: () => [...states.values()].sort((a, b) => (stateKey(a.policy, a.rule, a.model) < stateKey(b.policy, b.rule, b.model) ? -1 : 1)),
  };
}
