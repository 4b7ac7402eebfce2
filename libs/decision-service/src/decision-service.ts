import { create } from "@bufbuild/protobuf";
import { DecideResponseSchema, type DecisionService } from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import { type CandidateStatsProvider, evaluatePolicies } from "@modelrouter/policy";
import type { ServiceImpl } from "@modelrouter/rpc-kit";
import type { CatalogueSource } from "./catalogue-snapshot.js";
import { parseDecideRequest } from "./decide-request.js";

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
}

/**
 * The DecisionService handlers. `decide` validates the request (the profile is required), evaluates the
 * policies of the current snapshot, and returns the RoutingDecision, whose `catalogue_revision` is the
 * snapshot's. Errors: SERVICE_NOT_READY (UNAVAILABLE) before the catalogue has loaded; INVALID_FIELD;
 * POLICY_NOT_FOUND, NO_ROUTE and NO_SERVABLE_MODEL from the evaluation.
 */
export function createDecisionService(options: DecisionServiceOptions): ServiceImpl<typeof DecisionService> {
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  return {
    async decide(request) {
      const snapshot = options.catalogue.snapshot();
      if (snapshot === undefined) {
        throw new DomainError(
          ErrorReason.SERVICE_NOT_READY,
          "the decision engine has not loaded the models and policies from the registry yet; retry shortly",
        );
      }
      const { profile, context } = parseDecideRequest(request);
      const result = evaluatePolicies({
        policies: snapshot.policies,
        catalogue: snapshot.catalogue,
        catalogueRevision: snapshot.revision,
        profile,
        context,
        now: clock(),
        random,
        stats: options.stats,
      });
      return create(DecideResponseSchema, { decision: result.decision });
    },
  };
}
