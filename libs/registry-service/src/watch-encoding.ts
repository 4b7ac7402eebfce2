import { create, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import {
  ChangeType,
  ModelChangeSchema,
  ModelSchema,
  PolicyChangeSchema,
  PolicySchema,
  type ModelChange,
  type PolicyChange,
} from "@modelrouter/contracts";
import type { Logger } from "@modelrouter/telemetry";
import { elementBytes } from "./response-bounds.js";
import { keyFields, type LoggedChange, type ResourceKind } from "./store/change-log.js";
import { modelFromJson } from "./store/model-rows.js";
import { policyFromJson } from "./store/policy-store.js";
import type { ChangeEncoding, EncodedChange } from "./store/watch-changes.js";
import { MAX_MODEL_BYTES, MAX_POLICY_BYTES } from "./validation/limits.js";

/**
 * The bytes of a `WatchModelsResponse` or `WatchPoliciesResponse` besides its changes, at their largest:
 * `reset` and `snapshot_complete` (2 bytes each) and `revision` (1 + up to 10).
 */
export const WATCH_MESSAGE_BYTES = 15;

/** How one kind of resource becomes a change message. */
interface ChangeCodec<Desc extends DescMessage> {
  readonly kind: ResourceKind;
  readonly schema: Desc;
  /** A PUT of the stored resource (protobuf JSON). Throws when it cannot be read. */
  put(payload: unknown, revision: bigint): MessageShape<Desc>;
  /** A DELETE carrying only the key. */
  deleted(key: string, revision: bigint): MessageShape<Desc>;
  /** How to fix a stored resource that is too large, for the log. */
  readonly fix: string;
}

const modelCodec: ChangeCodec<typeof ModelChangeSchema> = {
  kind: "model",
  schema: ModelChangeSchema,
  put: (payload, revision) => create(ModelChangeSchema, { type: ChangeType.PUT, model: modelFromJson(payload), revision }),
  deleted: (key, revision) =>
    create(ModelChangeSchema, { type: ChangeType.DELETE, model: create(ModelSchema, keyFields("model", key)), revision }),
  fix:
    `shrink it below ${MAX_MODEL_BYTES / 1024} KiB with UpdateModel (labels, description, task, metrics), or ` +
    `deregister it and register a smaller version`,
};

const policyCodec: ChangeCodec<typeof PolicyChangeSchema> = {
  kind: "policy",
  schema: PolicyChangeSchema,
  put: (payload, revision) => create(PolicyChangeSchema, { type: ChangeType.PUT, policy: policyFromJson(payload), revision }),
  deleted: (key, revision) =>
    create(PolicyChangeSchema, { type: ChangeType.DELETE, policy: create(PolicySchema, keyFields("policy", key)), revision }),
  fix: `apply a version of it below ${MAX_POLICY_BYTES / 1024} KiB with ApplyPolicy, or delete it`,
};

/** Encodes model changes for WatchModels; see {@link changeEncoding}. */
export function modelChangeEncoding(logger: Logger): ChangeEncoding<ModelChange> {
  return changeEncoding(modelCodec, logger);
}

/** Encodes policy changes for WatchPolicies; see {@link changeEncoding}. */
export function policyChangeEncoding(logger: Logger): ChangeEncoding<PolicyChange> {
  return changeEncoding(policyCodec, logger);
}

/**
 * Makes change messages and counts their real encoded size (with the field's tag and length). A DELETE
 * carries only the key, whatever the log holds. A stored resource that cannot be sent — larger than a
 * message may be, which only a resource stored before the registry bounded sizes (or written straight into
 * the database) can be, or unreadable — is withheld and logged at error level with its name and the fix:
 * every watcher then treats it as absent (left out of a snapshot, a DELETE of its key in the live stream),
 * and every other resource still flows. Sending part of it instead would route on a resource that is not the
 * stored one; sending it whole would break the watch of every decision engine.
 */
function changeEncoding<Desc extends DescMessage>(codec: ChangeCodec<Desc>, logger: Logger): ChangeEncoding<MessageShape<Desc>> {
  const measure = (item: MessageShape<Desc>): EncodedChange<MessageShape<Desc>> => ({
    item,
    bytes: elementBytes(codec.schema, item),
  });
  const withhold = (
    change: LoggedChange,
    budget: number,
    inSnapshot: boolean,
    problem: Record<string, unknown>,
  ): EncodedChange<MessageShape<Desc>> | undefined => {
    const key = keyFields(codec.kind, change.key);
    logger.error(`a stored ${codec.kind} cannot be sent to watchers; they treat it as absent`, {
      ...key,
      revision: change.revision,
      ...problem,
      fix: codec.fix,
    });
    if (inSnapshot) return undefined;
    const tombstone = measure(codec.deleted(change.key, change.revision));
    return tombstone.bytes <= budget ? tombstone : undefined;
  };
  return {
    messageBytes: WATCH_MESSAGE_BYTES,
    encode(change, budget, inSnapshot) {
      if (change.type === "DELETE") {
        const deleted = measure(codec.deleted(change.key, change.revision));
        if (deleted.bytes <= budget) return deleted;
        return withhold(change, budget, true, { reason: "its key is too large", bytes: deleted.bytes, maxBytes: budget });
      }
      let encoded: EncodedChange<MessageShape<Desc>>;
      try {
        encoded = measure(codec.put(change.payload, change.revision));
      } catch (error) {
        return withhold(change, budget, inSnapshot, { reason: "it cannot be read", error });
      }
      if (encoded.bytes <= budget) return encoded;
      return withhold(change, budget, inSnapshot, {
        reason: "it is larger than a watch message may be",
        bytes: encoded.bytes,
        maxBytes: budget,
      });
    },
  };
}
