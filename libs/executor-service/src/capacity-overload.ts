import { DomainError, ErrorReason } from "@modelrouter/errors";
import { RETRY_AFTER_MS_KEY } from "@modelrouter/rpc-kit";
import type { ModelSource } from "./worker-protocol.js";

/** Which bound refused a task, how many tasks waited behind it, and the hint derived from its drain rate. */
export interface OverloadFacts {
  readonly model: Pick<ModelSource, "name" | "version">;
  /**
   * "model": the model's own queue was full; "executor": all queues together were; "shadow": a mirrored task
   * found no idle worker, or tasks waiting (shadows are shed first, never queued).
   */
  readonly bound: "model" | "executor" | "shadow";
  readonly waiting: number;
  readonly limit: number;
  readonly retryAfterMs: number;
}

/**
 * The OVERLOADED error (gRPC RESOURCE_EXHAUSTED) of a refused task. Its retry hint is in the `ErrorInfo`
 * metadata as `retryAfterMs` (whole milliseconds; rpc-kit also sends it as a `google.rpc.RetryInfo`), with
 * the bound that refused it (`bound`, `limit`, `queued`).
 */
export function overloaded(facts: OverloadFacts): DomainError {
  const ref = `${facts.model.name}@${facts.model.version}`;
  const what =
    facts.bound === "model"
      ? `${facts.waiting} tasks of model ${ref} wait, its queue's limit`
      : facts.bound === "shadow"
        ? `no worker is idle or ${facts.waiting} tasks wait, so the shadow (mirrored) request for ${ref} is shed first`
        : `${facts.waiting} tasks wait for its workers, its queues' limit`;
  return new DomainError(
    ErrorReason.OVERLOADED,
    `the executor is overloaded: ${what}${facts.bound === "shadow" ? "" : `; retry in ${facts.retryAfterMs} ms or elsewhere`}`,
    {
      metadata: {
        model: facts.model.name,
        version: facts.model.version,
        bound: facts.bound,
        queued: String(facts.waiting),
        limit: String(facts.limit),
        [RETRY_AFTER_MS_KEY]: String(facts.retryAfterMs),
      },
    },
  );
}
