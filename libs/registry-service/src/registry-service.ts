import { create } from "@bufbuild/protobuf";
import {
  ApplyPolicyResponseSchema,
  ChangeType,
  DeletePolicyResponseSchema,
  DeregisterModelResponseSchema,
  GetDecisionResponseSchema,
  GetModelResponseSchema,
  GetPolicyResponseSchema,
  ListModelsResponseSchema,
  ListPoliciesResponseSchema,
  RecordDecisionResponseSchema,
  RecordFeedbackResponseSchema,
  RegisterModelResponseSchema,
  UpdateModelResponseSchema,
  WatchModelsResponseSchema,
  WatchPoliciesResponseSchema,
  type RegistryService,
} from "@modelrouter/contracts";
import type { ServiceImpl } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import { applyPolicy } from "./policies/apply-policy.js";
import type { LoggedChange } from "./store/change-log.js";
import { modelFromJson } from "./store/model-rows.js";
import { policyFromJson } from "./store/policy-store.js";
import type { RegistryStore } from "./store/registry-store.js";
import type { BatchLimits } from "./store/watch-changes.js";
import { parseGetDecision, parseRecordDecision, parseRecordFeedback } from "./validation/decision-requests.js";
import {
  parseDeregisterModel,
  parseGetModel,
  parseListModels,
  parseRegisterModel,
  parseUpdateModel,
} from "./validation/model-requests.js";
import { parseApplyPolicy, parseListPolicies, parsePolicyName, parseSinceRevision } from "./validation/policy-requests.js";

/** Options of {@link createRegistryService}. */
export interface RegistryServiceOptions {
  readonly store: RegistryStore;
  readonly logger: Logger;
  /**
   * How large one watch message may grow: at most `maxChanges` changes (default 500) and about `maxBytes`
   * bytes of protobuf JSON (default 1 MiB, well under gRPC's 4 MiB receive limit). A snapshot larger than
   * that is split into several messages (see `watchChanges`); a single revision is never split.
   */
  readonly watchLimits?: Partial<BatchLimits>;
}

const DEFAULT_WATCH_LIMITS: BatchLimits = { maxChanges: 500, maxBytes: 1 << 20 };

/**
 * The RegistryService handlers: each checks its request (every problem at once), makes one store call, and
 * shapes the response. Writes are logged at info level with the revision they made; decision records (one
 * per routed request) are not logged, and feedback only at debug level.
 */
export function createRegistryService(options: RegistryServiceOptions): ServiceImpl<typeof RegistryService> {
  const { store } = options;
  const logger = options.logger.child({ component: "registry-service" });
  const limits: BatchLimits = { ...DEFAULT_WATCH_LIMITS, ...options.watchLimits };
  const changeType = (change: LoggedChange): ChangeType => (change.type === "PUT" ? ChangeType.PUT : ChangeType.DELETE);

  return {
    async registerModel(request) {
      const model = await store.registerModel(parseRegisterModel(request));
      logger.info("model registered", { name: model.name, version: model.version, revision: model.revision });
      return create(RegisterModelResponseSchema, { model });
    },

    async getModel(request) {
      const { name, version } = parseGetModel(request);
      return create(GetModelResponseSchema, { model: await store.getModel(name, version) });
    },

    async listModels(request) {
      const { filter, page, tokens } = parseListModels(request);
      const result = await store.listModels(filter, page);
      return create(ListModelsResponseSchema, {
        models: [...result.items],
        nextPageToken: result.nextAfter === undefined ? "" : tokens.encode(result.nextAfter),
      });
    },

    async updateModel(request) {
      const update = parseUpdateModel(request);
      const model = await store.updateModel(update.key, update.source, update.fields, update.expectedRevision);
      logger.info("model updated", { name: model.name, version: model.version, fields: update.fields, revision: model.revision });
      return create(UpdateModelResponseSchema, { model });
    },

    async deregisterModel(request) {
      const { name, version, expectedRevision } = parseDeregisterModel(request);
      const models = await store.deregisterModel(name, version, expectedRevision);
      logger.info("model deregistered", { name, versions: models.map((m) => m.version) });
      return create(DeregisterModelResponseSchema, { models });
    },

    async *watchModels(request, ctx) {
      const since = parseSinceRevision(request.sinceRevision);
      for await (const batch of store.watch("model", since, ctx.signal, limits)) {
        yield create(WatchModelsResponseSchema, {
          reset: batch.reset,
          snapshotComplete: batch.snapshotComplete,
          revision: batch.revision,
          changes: batch.changes.map((change) => ({
            type: changeType(change),
            model: modelFromJson(change.payload),
            revision: change.revision,
          })),
        });
      }
    },

    async applyPolicy(request) {
      const outcome = await applyPolicy(store, parseApplyPolicy(request));
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

    async getPolicy(request) {
      return create(GetPolicyResponseSchema, { policy: await store.getPolicy(parsePolicyName(request)) });
    },

    async listPolicies(request) {
      const { page, tokens } = parseListPolicies(request);
      const result = await store.listPolicies(page);
      return create(ListPoliciesResponseSchema, {
        policies: [...result.items],
        nextPageToken: result.nextAfter === undefined ? "" : tokens.encode(result.nextAfter),
      });
    },

    async deletePolicy(request) {
      const name = parsePolicyName(request);
      const policy = await store.deletePolicy(name, request.expectedRevision);
      logger.info("policy deleted", { name, lastRevision: policy.revision });
      return create(DeletePolicyResponseSchema, { policy });
    },

    async *watchPolicies(request, ctx) {
      const since = parseSinceRevision(request.sinceRevision);
      for await (const batch of store.watch("policy", since, ctx.signal, limits)) {
        yield create(WatchPoliciesResponseSchema, {
          reset: batch.reset,
          snapshotComplete: batch.snapshotComplete,
          revision: batch.revision,
          changes: batch.changes.map((change) => ({
            type: changeType(change),
            policy: policyFromJson(change.payload),
            revision: change.revision,
          })),
        });
      }
    },

    async recordDecision(request) {
      await store.recordDecision(parseRecordDecision(request, store.now()));
      return create(RecordDecisionResponseSchema, {});
    },

    async getDecision(request) {
      return create(GetDecisionResponseSchema, { decision: await store.getDecision(parseGetDecision(request)) });
    },

    async recordFeedback(request) {
      const { requestId, value } = parseRecordFeedback(request);
      const decision = await store.recordFeedback(requestId, value);
      logger.debug("feedback recorded", { requestId, kind: value.case, correct: decision.feedback?.correct ?? false });
      return create(RecordFeedbackResponseSchema, { decision });
    },
  };
}
