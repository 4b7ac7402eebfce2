import { ChangeType, type Model, type WatchModelsResponse, type WatchPoliciesResponse } from "@modelrouter/contracts";
import { type CompiledPolicy, type PolicyEnvironment, compilePolicy } from "@modelrouter/policy";
import type { Logger } from "@modelrouter/telemetry";

/** The model versions by "name\u0000version". */
export type ModelState = ReadonlyMap<string, Model>;

/** The compiled policies by name. */
export type PolicyState = ReadonlyMap<string, CompiledPolicy>;

function modelKey(model: Model): string {
  return `${model.name}\u0000${model.version}`;
}

/**
 * The model state after one watch message: a reset replaces everything with the message's PUTs; otherwise
 * PUTs add or replace versions and DELETEs remove them (a DELETE carries only the version's name and
 * version: nothing else of it is read). Returns a new map; `state` is not changed.
 */
export function applyModelMessage(state: ModelState, message: WatchModelsResponse): ModelState {
  const next = message.reset ? new Map<string, Model>() : new Map(state);
  for (const change of message.changes) {
    const model = change.model;
    if (model === undefined) continue;
    if (change.type === ChangeType.DELETE) next.delete(modelKey(model));
    else next.set(modelKey(model), model);
  }
  return next;
}

/**
 * The policy state after one watch message, compiling each policy that arrives (a DELETE carries only the
 * policy's name). A stored policy that no
 * longer compiles (for example one written by an older version, or straight into the database) is logged
 * with its violations and skipped: it does not route, and an earlier compiled revision of it is dropped.
 * Returns a new map; `state` is not changed.
 */
export function applyPolicyMessage(
  state: PolicyState,
  message: WatchPoliciesResponse,
  environment: PolicyEnvironment,
  logger: Logger,
): PolicyState {
  const next = message.reset ? new Map<string, CompiledPolicy>() : new Map(state);
  for (const change of message.changes) {
    const policy = change.policy;
    if (policy === undefined) continue;
    if (change.type === ChangeType.DELETE) {
      next.delete(policy.name);
      continue;
    }
    const result = compilePolicy(policy, { environment });
    if (result.kind === "invalid") {
      next.delete(policy.name);
      logger.error("a stored policy does not compile; it is skipped", {
        policy: policy.name,
        revision: policy.revision,
        violations: result.violations.map((v) => `${v.field}: ${v.description}`),
      });
      continue;
    }
    if (result.warnings.length > 0) {
      logger.debug("policy compiled with warnings", { policy: policy.name, warnings: result.warnings });
    }
    next.set(policy.name, result.policy);
  }
  return next;
}

/**
 * Whether a watched state is whole. A snapshot may come in several messages: the state is partial from the
 * message with `reset` until the one with `snapshot_complete` (a one-message snapshot has both). A revision
 * too large for one message comes in several too: a message that carries changes above its own `revision`
 * is followed by the rest of that revision, and the state is partial until a message has none above.
 */
export class SnapshotTracker {
  #inSnapshot = false;

  /** Notes one message; returns true when the state is whole after it. */
  note(message: {
    readonly reset: boolean;
    readonly snapshotComplete: boolean;
    readonly revision: bigint;
    readonly changes: readonly { readonly revision: bigint }[];
  }): boolean {
    this.#inSnapshot = (this.#inSnapshot || message.reset) && !message.snapshotComplete;
    return !this.#inSnapshot && message.changes.every((change) => change.revision <= message.revision);
  }
}
