import {
  type Attempt,
  type ExecuteResponse,
  type Payload,
  type ResolvedTarget,
  type TextDelta,
} from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import { Code, RpcError, callSpan, codeName, isRetryable, toRpcError, type CallContext } from "@modelrouter/rpc-kit";
import { RouteEvent } from "@modelrouter/telemetry";
import { unaryExecutorCall, type ExecutorCall } from "./executor-calls.js";
import type { ExecutorInstances } from "./executor-instances.js";
import { chooseInstance } from "./instance-choice.js";
import type { AttemptObserver } from "./model-stats-collector.js";
import { runAttempt, type AttemptSetup } from "./run-attempt.js";

/** The outcome of running a request's candidates: the answer of the model that served it, or the final error. */
export type Execution =
  | {
      readonly ok: true;
      readonly response: ExecuteResponse;
      readonly served: ResolvedTarget;
      /** The instance that served ("" when the executor is in-process). */
      readonly instance: string;
      /** A model other than the first tried served (a retry of the same model on another instance is no fallback). */
      readonly fallbackUsed: boolean;
      readonly attempts: readonly Attempt[];
    }
  | { readonly ok: false; readonly error: RpcError; readonly attempts: readonly Attempt[] };

/** Inputs of {@link executeWithFallbacks}. */
export interface ExecutionPlan {
  readonly requestId: string;
  readonly payload: Payload;
  /** The decision's target first, then its fallbacks, in order. */
  readonly candidates: readonly ResolvedTarget[];
  /** The absolute deadline of the whole request, epoch ms. */
  readonly deadline: number;
  /** At most this many model versions are tried; the retries of one model version on other instances count once. */
  readonly maxAttempts: number;
  /** At most this many instances run one model version (default: every instance, once). */
  readonly maxInstanceAttempts?: number;
}

const key = (t: ResolvedTarget) => `${t.model?.name ?? ""}@${t.model?.version ?? ""}`;

/**
 * Failures that say "this instance cannot take it now", not "this request cannot be served": another instance may.
 * (Whether the failure also counts against the instance is the breaker's call: see `instanceOutcomeOf`.)
 */
const triesAnotherInstance = (code: number) => code === Code.UNAVAILABLE || code === Code.RESOURCE_EXHAUSTED;

/** How {@link runWithFallbacks} runs each attempt and counts it. */
export interface FallbackSettings {
  readonly now: () => number;
  /** What a client may see of an executor's failure (transport details removed). */
  readonly describe: (error: unknown) => RpcError;
  /** Uniform numbers in [0, 1), for the choice of instance. */
  readonly random: () => number;
  /** Counts every attempt's outcome and latency (the live statistics); none when undefined. */
  readonly observer: AttemptObserver | undefined;
  /** How an attempt calls its instance: `Execute` for Infer, `ExecuteStream` for InferStream. */
  readonly call: ExecutorCall;
}

/**
 * Runs the first candidate on the less loaded of two instances the breaker admits (each attempt's outcome counted
 * by the breaker) and, after a failure of that instance (UNAVAILABLE,
 * RESOURCE_EXHAUSTED), the same model version on another instance — never one that already failed in this request
 * while another is left — up to `maxInstanceAttempts`; only when every instance failed (or an attempt ran out of
 * time) does the next candidate model run, within the request's deadline and never the same model version twice.
 * Inference is idempotent, so a retry is safe. A non-retryable failure (a bad payload, a bug) ends the request at
 * once: another instance or model would fail the same way; so does any failure after a delta was passed on (the
 * client already has part of that model's answer). Each attempt is a span with the model and outcome; a fallback
 * and an instance retry are span events, and its outcome and latency go to the observer (the live statistics) when
 * there is one. The deltas of the attempt that streams are yielded as they come. Never throws: a failure is
 * returned with the attempts made, which are also added to `attempts` as they end (so that a caller that stops
 * iterating still has them).
 */
export async function* runWithFallbacks(
  executors: ExecutorInstances,
  plan: ExecutionPlan,
  parent: CallContext,
  settings: FallbackSettings,
  attempts: Attempt[] = [],
): AsyncGenerator<TextDelta, Execution, undefined> {
  const { now } = settings;
  const setup: AttemptSetup = {
    executors,
    now,
    describe: settings.describe,
    observer: settings.observer,
    call: settings.call,
    requestId: plan.requestId,
    payload: plan.payload,
    deadline: plan.deadline,
    parent,
    attempts,
  };
  const triedModels = new Set<string>();
  const failed = new Set<string>();
  const instanceBound = plan.maxInstanceAttempts ?? Number.POSITIVE_INFINITY;
  let lastError: RpcError | undefined;
  for (const candidate of plan.candidates) {
    if (triedModels.size >= plan.maxAttempts) break;
    if (triedModels.has(key(candidate))) continue;
    triedModels.add(key(candidate));
    const triedForModel = new Set<string>();
    while (triedForModel.size < instanceBound) {
      if (now() >= plan.deadline) {
        lastError = new RpcError({ code: Code.DEADLINE_EXCEEDED, message: "the request's deadline passed before a model answered" });
        return { ok: false, error: finalError(lastError, attempts), attempts };
      }
      const instance = chooseInstance(executors.list(), executors, { triedForModel, failed }, settings.random, now());
      if (instance === undefined) {
        if (triedForModel.size === 0) lastError = noInstance();
        break;
      }
      triedForModel.add(instance.name);
      announce(parent, attempts.at(-1), candidate, instance.name, triedForModel.size > 1, lastError);
      const outcome = yield* runAttempt(setup, instance, candidate, attempts.length + 1);
      if (outcome.ok) {
        return { ok: true, response: outcome.response, served: candidate, instance: instance.name, fallbackUsed: triedModels.size > 1, attempts };
      }
      lastError = outcome.error;
      if (outcome.committed || !isRetryable(lastError.code)) return { ok: false, error: finalError(lastError, attempts), attempts };
      if (!triesAnotherInstance(lastError.code)) break;
      failed.add(instance.name);
    }
  }
  return { ok: false, error: finalError(lastError, attempts), attempts };
}

/**
 * Runs a request's candidates with `Execute`, falling back as {@link runWithFallbacks} says. Never throws: a
 * failure is returned with the attempts made.
 */
export async function executeWithFallbacks(
  executors: ExecutorInstances,
  plan: ExecutionPlan,
  parent: CallContext,
  now: () => number,
  /** What a client may see of an executor's failure (transport details removed). */
  describe: (error: unknown) => RpcError = (error) => toRpcError(error),
  /** Uniform numbers in [0, 1), for the choice of instance. */
  random: () => number = Math.random,
  observer?: AttemptObserver,
): Promise<Execution> {
  const run = runWithFallbacks(executors, plan, parent, { now, describe, random, observer, call: unaryExecutorCall });
  // `Execute` answers in one piece: the run yields no delta.
  for (;;) {
    const step = await run.next();
    if (step.done === true) return step.value;
  }
}

/** Marks a retry in the request's span: on another instance of the same model, or a fallback to the next model. */
function announce(
  parent: CallContext,
  previous: Attempt | undefined,
  candidate: ResolvedTarget,
  instance: string,
  sameModel: boolean,
  lastError: RpcError | undefined,
): void {
  if (previous === undefined || lastError === undefined) return;
  const reason = codeName(lastError.code);
  if (sameModel) {
    callSpan(parent)?.addEvent(RouteEvent.ATTEMPT_FAILED, { model: candidate.model?.name ?? "", from: previous.instance, to: instance, reason });
  } else {
    callSpan(parent)?.addEvent(RouteEvent.FALLBACK_TRIGGERED, { from: previous.model?.name ?? "", to: candidate.model?.name ?? "", reason });
  }
}

function noInstance(): RpcError {
  return new RpcError({ code: Code.UNAVAILABLE, message: "no executor instance is known (none configured, or none resolved yet)" });
}

function finalError(last: RpcError | undefined, attempts: readonly Attempt[]): RpcError {
  const tried = attempts.map((a) => `${a.model?.name ?? "?"}@${a.model?.version ?? "?"}${a.instance === "" ? "" : ` on ${a.instance}`} → ${codeName(a.code)}`).join(", ");
  if (last === undefined) return toRpcError(new DomainError(ErrorReason.NO_SERVABLE_MODEL, "the decision named no model to run"));
  return new RpcError({
    code: last.code,
    message: attempts.length > 1 ? `every attempt failed (${tried}); last: ${last.message}` : last.message,
    reason: last.reason,
    domain: last.domain,
    metadata: { ...last.metadata, attempts: String(attempts.length), tried },
    violations: last.violations,
    cause: last,
  });
}
