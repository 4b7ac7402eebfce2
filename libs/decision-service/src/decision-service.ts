import { create } from "@bufbuild/protobuf";
import { DecideResponseSchema, type DecisionService, type RegistryService } from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import { type CandidateStatsProvider, createPolicyEnvironment, evaluatePolicies } from "@modelrouter/policy";
import type { ServiceClient, ServiceImpl } from "@modelrouter/rpc-kit";
import type { CatalogueSource } from "./catalogue-snapshot.js";
import type { GuardHealthSource } from "./guard-tracker.js";
import { parseDecideRequest } from "./decide-request.js";
import { type WhatIfSources, resolveWhatIf } from "./what-if.js";
import type { LiveStatsSource } from "./stats-poller.js";
import type { BanditSource } from "./bandit-poller.js";
import { markedDecision, markedFailure, policiesWith } from "./what-if-evaluation.js";

/** Options of {@link createDecisionService}. */
export interface DecisionServiceOptions {
  /** The models and policies to decide on, usually a {@link CatalogueSync}. */
  readonly catalogue: CatalogueSource;
  /** The time of a decision in epoch milliseconds (`now` in policies). Default: `Date.now`. */
  readonly clock?: () => number;
  /** Uniform numbers in [0, 1) for strategies that choose at random. Default: `Math.random`. */
  readonly random?: () => number;
  /**
   * The latency, quality and cost figures that the best, fastest and cheapest strategies rank by. Default: the
   * models' declared offline metrics.
   */
  readonly stats?: CandidateStatsProvider;
  /**
   * Live statistics (usually a {@link StatsPoller}): when given, each decision ranks and constrains by the
   * provider it returns at the decision's time, in place of `stats`.
   */
  readonly liveStats?: LiveStatsSource;
  /**
   * The guards' health (usually the `HealthPoller` of `createHealthPoller`): each decision reads its current view, so that a
   * guarded route keeps its degraded candidates out of the choice. Absent: no candidate is degraded.
   */
  readonly health?: GuardHealthSource;
  /**
   * What the bandits have learned (usually a {@link BanditPoller}): STRATEGY_BANDIT routes choose by its current
   * state. Absent: every bandit at its prior.
   */
  readonly bandits?: BanditSource;
  /** Where `what_if.revision` bodies are read (`GetPolicy`). Absent: a Decide may override with a body only. */
  readonly registry?: ServiceClient<typeof RegistryService>;
}

/**
 * The DecisionService handlers. `decide` validates the request (the profile is required), evaluates the
 * policies of the current snapshot, and returns the RoutingDecision, whose `catalogue_revision` is the
 * snapshot's. The request's `load` feeds STRATEGY_LEAST_LOADED; `explain: false` leaves the explanation out
 * (absent: explained). A policy or a model of a tenant serves only that tenant's requests (`context.tenant`; see
 * `explainPolicies` of `@modelrouter/policy`). With `what_if`, the override stands in for the applied policy of its name in this evaluation
 * only (see {@link resolveWhatIf} and {@link policiesWith}; nothing is stored) and the summary names it.
 * Errors: SERVICE_NOT_READY (UNAVAILABLE) before the catalogue has loaded; INVALID_FIELD (also a what-if body's
 * violations under `what_if.policy.`); POLICY_NOT_FOUND (also an unknown what-if revision), NO_ROUTE and
 * NO_SERVABLE_MODEL from the evaluation.
 */
export function createDecisionService(options: DecisionServiceOptions): ServiceImpl<typeof DecisionService> {
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const whatIfSources: WhatIfSources = { environment: createPolicyEnvironment(), registry: options.registry };
  return {
    async decide(request, ctx) {
      const snapshot = options.catalogue.snapshot();
      if (snapshot === undefined) {
        throw new DomainError(
          ErrorReason.SERVICE_NOT_READY,
          "the decision engine has not loaded the models and policies from the registry yet; retry shortly",
        );
      }
      const { profile, context, load } = parseDecideRequest(request);
      const whatIf = request.whatIf === undefined ? undefined : await resolveWhatIf(request.whatIf, snapshot, whatIfSources, ctx, context?.tenant ?? "");
      const policies = whatIf === undefined ? snapshot.policies : policiesWith(snapshot.policies, whatIf, context);
      const now = clock();
      const stats = options.liveStats?.provider(now) ?? options.stats;
      const evaluate = () => evaluatePolicies({
        policies,
        catalogue: snapshot.catalogue,
        catalogueRevision: snapshot.revision,
        profile,
        context,
        now,
        random,
        stats,
        load,
        health: options.health?.view(),
        bandits: options.bandits?.states(),
        explain: request.explain !== false,
      });
      if (whatIf === undefined) return create(DecideResponseSchema, { decision: evaluate().decision });
      try {
        return create(DecideResponseSchema, { decision: markedDecision(evaluate().decision, whatIf) });
      } catch (error) {
        throw markedFailure(error, whatIf);
      }
    },
  };
}
