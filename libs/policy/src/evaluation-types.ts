import type {
  Explanation,
  InputProfile,
  Model,
  RequestContext,
  RoutingDecision,
} from "@modelrouter/contracts";
import type { DomainError } from "@modelrouter/errors";
import type { BanditStates } from "./bandit-state.js";
import type { CandidateStatsProvider } from "./candidate-stats.js";
import type { CompiledPolicy } from "./compiled-policy.js";
import type { GuardHealth } from "./guard-choice.js";
import type { ModelCatalogue } from "./model-catalogue.js";

/** Everything one decision depends on. The same input always gives the same decision. */
export interface EvaluationInput {
  /** The compiled policies, in any order (pre-ordered with {@link orderPolicies} saves a sort per call). */
  readonly policies: readonly CompiledPolicy[];
  /** The model versions; pass a {@link ModelCatalogue} built once rather than a list indexed per call. */
  readonly catalogue: ModelCatalogue | readonly Model[];
  /** The analyzer's profile of the payload: `input` in the policy language. */
  readonly profile: InputProfile;
  /** The caller: `request` in the policy language. Absent: an empty context. */
  readonly context?: RequestContext | undefined;
  /** The time of the request (a Date, or epoch milliseconds): `now` in the policy language. */
  readonly now: Date | number;
  /** Uniform numbers in [0, 1) for strategies that choose at random (WEIGHTED, for requests without a key). */
  readonly random: () => number;
  /**
   * The latency, quality and cost figures that BEST, FASTEST and CHEAPEST rank candidates by, and that
   * constraints read as `candidate.metrics`. Default: {@link declaredStats}, the models' declared metrics.
   */
  readonly stats?: CandidateStatsProvider | undefined;
  /**
   * A model version's requests in flight, as the caller sees them, for STRATEGY_LEAST_LOADED. Default: 0 for
   * every model.
   */
  readonly load?: ((model: Model) => number) | undefined;
  /**
   * Whether to explain the decision (default true): the decision's `explanation` lists every policy, rule and
   * candidate with its reason and score. False: the decision carries no explanation (the target, fallbacks,
   * policy and rule are the same), which is what serving a request needs and several times cheaper; a failed
   * outcome is explained either way.
   */
  readonly explain?: boolean | undefined;
  /**
   * What the bandits (STRATEGY_BANDIT routes) have learned, by bandit key, for example from the registry's
   * `ListBanditArms`. Default: nothing learned, every bandit at its prior.
   */
  readonly bandits?: BanditStates | undefined;
  /**
   * The health of guarded routes' candidates (a route's `guard`), usually the decision engine's guard tracker's
   * current view: a degraded candidate is kept out of the strategy's choice but for the guard's probes (see
   * `chooseGuardedRoute`). Default: no candidate is degraded.
   */
  readonly health?: GuardHealth | undefined;
  /** The registry revision to report as the decision's `catalogue_revision`. Default: the catalogue's. */
  readonly catalogueRevision?: bigint | undefined;
}

/** A decision: the RoutingDecision message, and the catalogue entries of the target and fallbacks. */
export interface EvaluationResult {
  readonly decision: RoutingDecision;
  readonly target: Model;
  readonly fallbacks: readonly Model[];
}

/**
 * The outcome of evaluating the policies for one request, decided or not, with the explanation either way
 * (for an Explain call). A failure carries the DomainError that {@link evaluatePolicies} throws:
 * POLICY_NOT_FOUND, NO_ROUTE or NO_SERVABLE_MODEL.
 */
export type PolicyOutcome =
  | { readonly kind: "decided"; readonly result: EvaluationResult }
  | { readonly kind: "failed"; readonly error: DomainError; readonly explanation: Explanation };
