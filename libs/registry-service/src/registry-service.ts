import { create } from "@bufbuild/protobuf";
import {
  ApplyPolicyResponseSchema,
  DeletePolicyResponseSchema,
  DeregisterModelResponseSchema,
  GetDecisionResponseSchema,
  GetModelResponseSchema,
  GetPolicyResponseSchema,
  ListBanditArmsResponseSchema,
  ListDecisionsResponseSchema,
  ListExperimentsResponseSchema,
  ListPolicyRevisionsResponseSchema,
  DecisionRecordSchema,
  EvaluatePolicyResponseSchema,
  ListModelsResponseSchema,
  ListModelStatsResponseSchema,
  ListPoliciesResponseSchema,
  ModelSchema,
  PolicySchema,
  RecordDecisionResponseSchema,
  RecordFeedbackResponseSchema,
  RecordModelStatsResponseSchema,
  RegisterModelResponseSchema,
  UpdateModelResponseSchema,
  WatchModelsResponseSchema,
  WatchPoliciesResponseSchema,
  type Model,
  type RegistryService,
} from "@modelrouter/contracts";
import type { ServiceImpl } from "@modelrouter/rpc-kit";
import { DEFAULT_EGRESS_POLICY, type EgressPolicy } from "@modelrouter/egress";
import { Violations } from "@modelrouter/errors";
import type { Logger } from "@modelrouter/telemetry";
import { createAccessHandlers } from "./access/api-key-handlers.js";
import { auditActorOf } from "./access/caller.js";
import { scopeDecisionFilter, visibleDecision } from "./access/tenant-scope.js";
import {
  checkMayWatch,
  checkPolicyTenant,
  confinedTenantOf,
  mayRemovePolicy,
  mayReplacePolicy,
  visiblePolicy,
} from "./access/resource-scope.js";
import { applyPolicy } from "./policies/apply-policy.js";
import { parseListBanditArms } from "./bandits/list-bandit-arms-request.js";
import { checkExperimentOutcomes, listExperimentStatuses, type PValueMemory } from "./experiments/index.js";
import { parseListExperiments } from "./experiments/list-experiments-request.js";
import { evaluatePolicy, evaluationBounds } from "./evaluation/evaluate-policy.js";
import { parseEvaluatePolicy } from "./evaluation/evaluate-policy-request.js";
import { decisionKeyOf } from "./store/decision-query.js";
import type { RegistryStore } from "./store/registry-store.js";
import type { BatchLimits } from "./store/watch-changes.js";
import { pageWithin, wholeOrKeys } from "./response-bounds.js";
import { checkModelSize } from "./validation/model-validation.js";
import { modelChangeEncoding, policyChangeEncoding } from "./watch-encoding.js";
import { parseGetDecision, parseRecordDecision, parseRecordFeedback } from "./validation/decision-requests.js";
import {
  parseDeregisterModel,
  parseGetModel,
  parseListModels,
  parseRegisterModel,
  parseUpdateModel,
} from "./validation/model-requests.js";
import { parseListDecisions } from "./validation/list-decisions.js";
import { parseListModelStats, parseRecordModelStats } from "./validation/model-stats-requests.js";
import {
  parseApplyPolicy,
  parseGetPolicy,
  parseListPolicies,
  parseListPolicyRevisions,
  parsePolicyName,
  parseSinceRevision,
} from "./validation/policy-requests.js";

/**
 * The request header naming who calls (a user or a deployment tool), kept with every policy revision they
 * apply as `applied_by`.
 */
export const CALLER_HEADER = "x-modelrouter-caller";
/** The longest `applied_by` kept; a longer caller header is cut to this. */
const MAX_CALLER_LENGTH = 256;

/** Options of {@link createRegistryService}. */
export interface RegistryServiceOptions {
  readonly store: RegistryStore;
  readonly logger: Logger;
  /**
   * How large one watch message may grow: `maxChanges` changes (default 500) and at most `maxBytes` bytes
   * protobuf-encoded (default 1 MiB: a quarter of the 4 MiB any gRPC client accepts by default, an eighth
   * of the decision engine's 8 MiB). A snapshot larger than that is split into several messages, and so is
   * a revision whose changes alone exceed `maxBytes` (see `watchChanges`). Keep `maxBytes` above the
   * largest resource a write accepts (256 KiB, a policy): a stored resource larger than a message is
   * withheld from watchers (and logged).
   */
  readonly watchLimits?: Partial<BatchLimits>;
  /** The experiment monitor's running p-values, which ListExperiments shows (and adds its looks to). */
  readonly experimentMemory?: PValueMemory;
  /**
   * Where remote model servers may be: RegisterModel refuses an `oip` endpoint URL this policy refuses
   * (default: `DEFAULT_EGRESS_POLICY` of `@modelrouter/egress`, as with no `MODELROUTER_EGRESS_*` settings).
   */
  readonly egress?: EgressPolicy;
}

/** The default size of watch messages; see {@link RegistryServiceOptions.watchLimits}. */
export const DEFAULT_WATCH_LIMITS: BatchLimits = Object.freeze({ maxChanges: 500, maxBytes: 1 << 20 });

/**
 * The RegistryService handlers: each checks its request (every problem at once, within the bounds of
 * `validation/limits.ts`), makes one store call, and shapes the response within bounds too: a list page
 * stops at about 1 MiB (with a page token for the rest), removed models are returned by key when they would
 * not fit in 1 MiB, and watch messages never exceed `watchLimits.maxBytes`. Writes are logged at info level
 * with the revision they made; decision records (one per routed request) and model statistics (every second
 * from every router) are not logged, and feedback only at debug level. Every write is audited as the call's
 * identity (`ctx.identity`) in its own transaction; decision reads are limited to the caller's tenant unless it is an
 * admin or another service (see `access/tenant-scope.ts`).
 */
export function createRegistryService(options: RegistryServiceOptions): ServiceImpl<typeof RegistryService> {
  const { store, egress = DEFAULT_EGRESS_POLICY } = options;
  const logger = options.logger.child({ component: "registry-service" });
  const limits: BatchLimits = { ...DEFAULT_WATCH_LIMITS, ...options.watchLimits };
  const modelChanges = modelChangeEncoding(logger);
  const policyChanges = policyChangeEncoding(logger);
  const fitsAfterUpdate = (updated: Model): void => {
    const v = new Violations();
    checkModelSize(v, "model", updated);
    v.throwIfAny("the model cannot be updated: the updated version would be too large");
  };

  return {
    async registerModel(request, ctx) {
      const model = await store.registerModel(parseRegisterModel(request, egress), auditActorOf(ctx.identity));
      logger.info("model registered", { name: model.name, version: model.version, revision: model.revision });
      return create(RegisterModelResponseSchema, { model });
    },

    async getModel(request, ctx) {
      const { name, version } = parseGetModel(request);
      return create(GetModelResponseSchema, { model: await store.getModel(name, version, confinedTenantOf(ctx.identity)) });
    },

    async listModels(request, ctx) {
      const { filter, page, tokens } = parseListModels(request);
      const visibleTo = confinedTenantOf(ctx.identity);
      const result = await store.listModels(visibleTo === undefined ? filter : { ...filter, visibleTo }, page);
      const { items, nextAfter } = pageWithin(ModelSchema, result, (m) => ({ name: m.name, version: m.version }));
      return create(ListModelsResponseSchema, {
        models: items,
        nextPageToken: nextAfter === undefined ? "" : tokens.encode(nextAfter),
      });
    },

    async updateModel(request, ctx) {
      const update = parseUpdateModel(request);
      const { key, source, fields, expectedRevision } = update;
      const model = await store.updateModel(key, source, fields, expectedRevision, fitsAfterUpdate, auditActorOf(ctx.identity));
      logger.info("model updated", { name: model.name, version: model.version, fields: update.fields, revision: model.revision });
      return create(UpdateModelResponseSchema, { model });
    },

    async deregisterModel(request, ctx) {
      const { name, version, expectedRevision } = parseDeregisterModel(request);
      const removed = await store.deregisterModel(name, version, expectedRevision, auditActorOf(ctx.identity));
      logger.info("model deregistered", { name, versions: removed.map((m) => m.version) });
      const models = wholeOrKeys(ModelSchema, removed, (m) => ({ name: m.name, version: m.version, revision: m.revision }));
      return create(DeregisterModelResponseSchema, { models });
    },

    async *watchModels(request, ctx) {
      checkMayWatch(ctx.identity, "models");
      const since = parseSinceRevision(request.sinceRevision);
      for await (const batch of store.watch("model", since, ctx.signal, limits, modelChanges)) {
        yield create(WatchModelsResponseSchema, { ...batch, changes: [...batch.changes] });
      }
    },

    async applyPolicy(request, ctx) {
      const appliedBy = (ctx.header(CALLER_HEADER) ?? "").slice(0, MAX_CALLER_LENGTH);
      const input = parseApplyPolicy(request);
      checkPolicyTenant(input.policy, ctx.identity);
      await checkExperimentOutcomes(store, input.policy);
      const mayReplace = mayReplacePolicy(ctx.identity);
      const outcome = await applyPolicy(store, {
        ...input,
        appliedBy,
        actor: auditActorOf(ctx.identity),
        ...(mayReplace === undefined ? {} : { mayReplace }),
      });
      if (!request.validateOnly) {
        logger.info(outcome.created ? "policy created" : "policy replaced", {
          name: outcome.policy.name,
          revision: outcome.policy.revision,
          warnings: outcome.warnings.length,
        });
      }
      return create(ApplyPolicyResponseSchema, {
        policy: outcome.policy,
        created: outcome.created,
        warnings: [...outcome.warnings],
      });
    },

    async getPolicy(request, ctx) {
      const { name, revision } = parseGetPolicy(request);
      return create(GetPolicyResponseSchema, { policy: visiblePolicy(await store.getPolicy(name, revision), ctx.identity) });
    },

    async listPolicyRevisions(request, ctx) {
      const { name, page, tokens } = parseListPolicyRevisions(request);
      const result = await store.listPolicyRevisions(name, page);
      const newest = result.items[0];
      if (confinedTenantOf(ctx.identity) !== undefined && newest !== undefined) {
        visiblePolicy(await store.getPolicy(name, newest.revision), ctx.identity);
      }
      return create(ListPolicyRevisionsResponseSchema, {
        revisions: [...result.items],
        nextPageToken: result.nextAfter === undefined ? "" : tokens.encode(result.nextAfter),
      });
    },

    async listPolicies(request, ctx) {
      const { page, tokens } = parseListPolicies(request);
      const result = await store.listPolicies(page, confinedTenantOf(ctx.identity));
      const { items, nextAfter } = pageWithin(PolicySchema, result, (p) => p.name);
      return create(ListPoliciesResponseSchema, {
        policies: items,
        nextPageToken: nextAfter === undefined ? "" : tokens.encode(nextAfter),
      });
    },

    async deletePolicy(request, ctx) {
      const name = parsePolicyName(request);
      const policy = await store.deletePolicy(name, request.expectedRevision, auditActorOf(ctx.identity), mayRemovePolicy(ctx.identity));
      logger.info("policy deleted", { name, lastRevision: policy.revision });
      return create(DeletePolicyResponseSchema, { policy });
    },

    async *watchPolicies(request, ctx) {
      checkMayWatch(ctx.identity, "policies");
      const since = parseSinceRevision(request.sinceRevision);
      for await (const batch of store.watch("policy", since, ctx.signal, limits, policyChanges)) {
        yield create(WatchPoliciesResponseSchema, { ...batch, changes: [...batch.changes] });
      }
    },

    async recordDecision(request) {
      await store.recordDecision(parseRecordDecision(request, store.now()));
      return create(RecordDecisionResponseSchema, {});
    },

    async getDecision(request, ctx) {
      const decision = visibleDecision(await store.getDecision(parseGetDecision(request)), ctx.identity);
      return create(GetDecisionResponseSchema, { decision });
    },

    async listDecisions(request, ctx) {
      const { filter, page, tokens } = parseListDecisions(request);
      const result = await store.listDecisions(scopeDecisionFilter(filter, ctx.identity), page);
      const { items, nextAfter } = pageWithin(DecisionRecordSchema, result, decisionKeyOf);
      return create(ListDecisionsResponseSchema, {
        decisions: items,
        nextPageToken: nextAfter === undefined ? "" : tokens.encode(nextAfter),
      });
    },

    async recordFeedback(request) {
      const { requestId, value } = parseRecordFeedback(request);
      const decision = await store.recordFeedback(requestId, value);
      logger.debug("feedback recorded", { requestId, kind: value.case, correct: decision.feedback?.correct ?? false });
      return create(RecordFeedbackResponseSchema, { decision });
    },

    async recordModelStats(request) {
      const rows = parseRecordModelStats(request, { now: store.now(), retentionMs: store.statsRetentionMs });
      await store.recordModelStats(rows);
      return create(RecordModelStatsResponseSchema, {});
    },

    async listModelStats(request) {
      const { windowMs, model } = parseListModelStats(request);
      return create(ListModelStatsResponseSchema, { stats: await store.listModelStats(windowMs, model) });
    },

    async listBanditArms(request) {
      return create(ListBanditArmsResponseSchema, { arms: await store.listBanditArms(parseListBanditArms(request)) });
    },

    async listExperiments(request) {
      return create(ListExperimentsResponseSchema, {
        experiments: await listExperimentStatuses(store, parseListExperiments(request), options.experimentMemory),
      });
    },

    async evaluatePolicy(request, ctx) {
      const estimate = await evaluatePolicy(store, parseEvaluatePolicy(request), evaluationBounds(ctx.deadline, ctx.signal));
      return create(EvaluatePolicyResponseSchema, { estimate });
    },

    ...createAccessHandlers(store, logger),
  };
}
