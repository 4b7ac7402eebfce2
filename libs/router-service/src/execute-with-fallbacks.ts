import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import {
  AttemptSchema,
  type Attempt,
  type ExecuteResponse,
  type ExecutorService,
  type Payload,
  type ResolvedTarget,
} from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import {
  Code,
  RpcError,
  callSpan,
  codeName,
  isRetryable,
  toRpcError,
  withTraceContext,
  type CallContext,
  type ServiceClient,
} from "@modelrouter/rpc-kit";
import { RouteAttr, RouteEvent, withSpan } from "@modelrouter/telemetry";

/** The outcome of running a request's candidates: the answer of the model that served it, or the final error. */
export type Execution =
  | { readonly ok: true; readonly response: ExecuteResponse; readonly served: ResolvedTarget; readonly attempts: readonly Attempt[] }
  | { readonly ok: false; readonly error: RpcError; readonly attempts: readonly Attempt[] };

/** Inputs of {@link executeWithFallbacks}. */
export interface ExecutionPlan {
  readonly requestId: string;
  readonly payload: Payload;
  /** The decision's target first, then its fallbacks, in order. */
  readonly candidates: readonly ResolvedTarget[];
  /** The absolute deadline of the whole request, epoch ms. */
  readonly deadline: number;
  /** At most this many models are tried. */
  readonly maxAttempts: number;
}

const key = (t: ResolvedTarget) => `${t.model?.name ?? ""}@${t.model?.version ?? ""}`;

/**
 * Runs the first candidate and, after a retryable failure (UNAVAILABLE, DEADLINE_EXCEEDED,
 * RESOURCE_EXHAUSTED), the next ones, within the request's deadline and never the same model version twice.
 * A non-retryable failure (a bad payload, a bug) ends the request at once: another model would fail the same
 * way. Each attempt is a span with the model and outcome; a fallback is a span event. Never throws: a failure
 * is returned with the attempts made, so the caller can record them.
 */
export async function executeWithFallbacks(
  executor: ServiceClient<typeof ExecutorService>,
  plan: ExecutionPlan,
  parent: CallContext,
  now: () => number,
  /** What a client may see of an executor's failure (transport details removed). */
  describe: (error: unknown) => RpcError = (error) => toRpcError(error),
): Promise<Execution> {
  const attempts: Attempt[] = [];
  const tried = new Set<string>();
  let lastError: RpcError | undefined;
  for (const candidate of plan.candidates) {
    if (attempts.length >= plan.maxAttempts) break;
    if (tried.has(key(candidate))) continue;
    tried.add(key(candidate));
    if (now() >= plan.deadline) {
      lastError = new RpcError({ code: Code.DEADLINE_EXCEEDED, message: "the request's deadline passed before a model answered" });
      break;
    }
    const number = attempts.length + 1;
    if (lastError !== undefined) {
      callSpan(parent)?.addEvent(RouteEvent.FALLBACK_TRIGGERED, {
        from: attempts.at(-1)?.model?.name ?? "",
        to: candidate.model?.name ?? "",
        reason: codeName(lastError.code),
      });
    }
    const started = now();
    try {
      const response = await withSpan(
        "router.attempt",
        {
          [RouteAttr.ATTEMPT]: number,
          [RouteAttr.MODEL]: candidate.model?.name ?? "",
          [RouteAttr.MODEL_VERSION]: candidate.model?.version ?? "",
          [RouteAttr.FALLBACK]: number > 1,
        },
        parent.traceContext,
        (_span, traceContext) =>
          executor.execute(
            { requestId: plan.requestId, model: candidate.model, backend: candidate.backend, payload: plan.payload },
            { deadline: plan.deadline, parent: withTraceContext(parent, traceContext) },
          ),
      );
      attempts.push(attemptOf(candidate, Code.OK, "", now() - started));
      return { ok: true, response, served: candidate, attempts };
    } catch (error) {
      const rpcError = describe(error);
      attempts.push(attemptOf(candidate, rpcError.code, rpcError.message, now() - started));
      lastError = rpcError;
      if (!isRetryable(rpcError.code)) break;
    }
  }
  return { ok: false, error: finalError(lastError, attempts), attempts };
}

function attemptOf(candidate: ResolvedTarget, code: number, message: string, ms: number): Attempt {
  return create(AttemptSchema, {
    model: candidate.model,
    code,
    message,
    duration: durationFromMs(Math.max(0, ms)),
  });
}

function finalError(last: RpcError | undefined, attempts: readonly Attempt[]): RpcError {
  const tried = attempts.map((a) => `${a.model?.name ?? "?"}@${a.model?.version ?? "?"} → ${codeName(a.code)}`).join(", ");
  if (last === undefined) return toRpcError(new DomainError(ErrorReason.NO_SERVABLE_MODEL, "the decision named no model to run"));
  return new RpcError({
    code: last.code,
    message: attempts.length > 1 ? `every model failed (${tried}); last: ${last.message}` : last.message,
    reason: last.reason,
    domain: last.domain,
    metadata: { ...last.metadata, attempts: String(attempts.length), tried },
    violations: last.violations,
    cause: last,
  });
}
