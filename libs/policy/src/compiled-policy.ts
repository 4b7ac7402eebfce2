import type { Policy } from "@modelrouter/contracts";
import type { CompiledCondition } from "./compiled-condition.js";
import type { CompiledSelector } from "./label-selector.js";
import type { RouteStrategy } from "./route-strategy.js";
import type { CompiledShadow } from "./shadow-compile.js";
import type { CompiledExperiment } from "./experiment-compile.js";
import type { CompiledGuard } from "./guard-compile.js";

/** A target naming one model, optionally one version. */
export interface CompiledModelTarget {
  readonly kind: "model";
  readonly name: string;
  /** Empty: the latest ACTIVE or DEPRECATED version. */
  readonly version: string;
  /** Its path in the policy, for example "rules[0].route.targets[1]". */
  readonly source: string;
}

/** A target selecting models by label. */
export interface CompiledSelectorTarget {
  readonly kind: "selector";
  readonly selector: CompiledSelector;
  readonly source: string;
}

/** One entry of a route's targets or fallbacks. */
export type CompiledTarget = CompiledModelTarget | CompiledSelectorTarget;

/** A route, checked: its candidates in order, how to choose among them, and what to try next. */
export interface CompiledRoute {
  /** Its path in the policy: "rules[2].route" or "default_route". */
  readonly path: string;
  readonly targets: readonly CompiledTarget[];
  readonly strategy: RouteStrategy;
  readonly fallbacks: readonly CompiledTarget[];
  /** The models requests are mirrored to, each with its share (none when absent). */
  readonly shadows?: readonly CompiledShadow[];
  /** The route's experiment (the evaluator ignores it; the registry runs it). */
  readonly experiment?: CompiledExperiment;
  /** What takes a degrading candidate out of the choice and brings it back (none when absent). */
  readonly guard?: CompiledGuard;
}

/** A rule, checked and with its condition compiled. */
export interface CompiledRule {
  readonly name: string;
  /** Its position in the policy's rules. */
  readonly index: number;
  readonly when: CompiledCondition;
  readonly route: CompiledRoute;
}

/**
 * A policy that compiled: conditions parsed and type-checked, targets checked. Immutable; evaluate it with
 * {@link evaluatePolicies} as often as needed.
 */
export interface CompiledPolicy {
  readonly name: string;
  /** Higher first; equal priorities are ordered by name. */
  readonly priority: number;
  /** The registry revision of the policy (0 for one that was never stored). */
  readonly revision: bigint;
  /** Undefined: the policy applies to every request. */
  readonly when: CompiledCondition | undefined;
  readonly rules: readonly CompiledRule[];
  readonly defaultRoute: CompiledRoute | undefined;
  /**
   * The estimated cost of evaluating the policy for one request, in cost units: its `when` and every rule's
   * `when` (all of them, as when no rule matches) and the recording of each outcome. A sound upper bound for
   * any request within `REQUEST_BOUNDS`, at most `maxPolicyCost`; the registry adds the costs of all stored
   * policies up against `maxTotalCost`, since a request may evaluate every policy.
   */
  readonly cost: number;
  /** The policy as written. */
  readonly source: Policy;
}
