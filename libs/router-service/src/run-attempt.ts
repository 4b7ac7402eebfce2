import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import {
  AttemptSchema,
  type Attempt,
  type ExecuteResponse,
  type Payload,
  type ResolvedTarget,
  type TextDelta,
} from "@modelrouter/contracts";
import { Code, RpcError, withTraceContext, type CallContext } from "@modelrouter/rpc-kit";
import { RouteAttr } from "@modelrouter/telemetry";
import { SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import type { ExecutorCall } from "./executor-calls.js";
import { beginAttempt, type ExecutorInstance, type ExecutorInstances } from "./executor-instances.js";
import type { AttemptObserver } from "./model-stats-collector.js";

const tracer = trace.getTracer("@modelrouter/router-service");

/** The OpenTelemetry GenAI semantic-convention attributes of a generation's token usage. */
export const GenAiAttr = {
  INPUT_TOKENS: "gen_ai.usage.input_tokens",
  OUTPUT_TOKENS: "gen_ai.usage.output_tokens",
} as const;

/** The span event of an attempt's first delta, with the milliseconds from the attempt's start. */
export const FIRST_TOKEN_EVENT = "first_token";

/** What every attempt of one request shares. */
export interface AttemptSetup {
  readonly executors: ExecutorInstances;
  readonly now: () => number;
  /** What a client may see of an executor's failure. */
  readonly describe: (error: unknown) => RpcError;
  readonly observer: AttemptObserver | undefined;
  readonly call: ExecutorCall;
  readonly requestId: string;
  readonly payload: Payload;
  /** The absolute deadline of the whole request, epoch ms: the calls are made with it. */
  readonly deadline: number;
  readonly parent: CallContext;
  /** Every attempt of the request, in order; each attempt adds itself, also when it is abandoned. */
  readonly attempts: Attempt[];
}

/** How one attempt ended; `committed` when it had passed on a delta before it failed (no fallback may follow). */
export type AttemptOutcome =
  | { readonly ok: true; readonly response: ExecuteResponse }
  | { readonly ok: false; readonly error: RpcError; readonly committed: boolean };

function attemptOf(candidate: ResolvedTarget, instance: string, code: number, message: string, ms: number): Attempt {
  return create(AttemptSchema, { model: candidate.model, instance, code, message, duration: durationFromMs(Math.max(0, ms)) });
}

function recordUsage(span: Span, response: ExecuteResponse): void {
  for (const output of response.outputs) {
    if (output.value.case !== "generation") continue;
    const usage = output.value.value.usage;
    if (usage !== undefined) {
      span.setAttributes({ [GenAiAttr.INPUT_TOKENS]: usage.promptTokens, [GenAiAttr.OUTPUT_TOKENS]: usage.completionTokens });
    }
    return;
  }
}

/**
 * Runs `candidate` once on `instance` through `setup.call`, passing on its deltas as they come (yielded) and
 * returning how it ended. The attempt is a `router.attempt` span (with a `first_token` event at the first delta
 * and the GenAI usage attributes when the answer is a generation), counted in the instances' load, the breaker and
 * the observer, and added to `setup.attempts`. The call is made with the request's deadline; when the caller stops
 * iterating (its client went away), the executor call is cancelled and the attempt counts as CANCELLED. Never
 * throws.
 */
export async function* runAttempt(
  setup: AttemptSetup,
  instance: ExecutorInstance,
  candidate: ResolvedTarget,
  number: number,
): AsyncGenerator<TextDelta, AttemptOutcome, undefined> {
  const { now, observer } = setup;
  const started = now();
  const timed = observer?.clock() ?? 0;
  const end = beginAttempt(setup.executors, instance.name, candidate.model, now);
  const span = tracer.startSpan(
    "router.attempt",
    {
      attributes: {
        [RouteAttr.ATTEMPT]: number,
        [RouteAttr.MODEL]: candidate.model?.name ?? "",
        [RouteAttr.MODEL_VERSION]: candidate.model?.version ?? "",
        [RouteAttr.FALLBACK]: number > 1,
        ...(instance.name === "" ? {} : { [RouteAttr.INSTANCE]: instance.name }),
      },
    },
    setup.parent.traceContext,
  );
  let settled = false;
  const settle = (error: RpcError | undefined): void => {
    settled = true;
    end(error);
    const code = error?.code ?? Code.OK;
    observer?.observe(candidate.model, instance.name, code, observer.clock() - timed);
    setup.attempts.push(attemptOf(candidate, instance.name, code, error?.message ?? "", now() - started));
    if (error !== undefined && code !== Code.CANCELLED) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    span.end();
  };
  const events = setup.call(
    instance.client,
    { requestId: setup.requestId, model: candidate.model, backend: candidate.backend, payload: setup.payload },
    { deadline: setup.deadline, parent: withTraceContext(setup.parent, trace.setSpan(setup.parent.traceContext, span)) },
  );
  let delivered = 0;
  try {
    for await (const event of events) {
      if (event.case === "delta") {
        if (delivered === 0) span.addEvent(FIRST_TOKEN_EVENT, { time_to_first_token_ms: now() - started });
        delivered += 1;
        yield event.value;
      } else if (event.case === "done") {
        recordUsage(span, event.value);
        settle(undefined);
        return { ok: true, response: event.value };
      }
    }
    throw new RpcError({ code: Code.UNAVAILABLE, message: "the executor's stream ended without an answer" });
  } catch (error) {
    const described = setup.describe(error);
    const rpcError = delivered === 0 ? described : brokenOff(described, delivered);
    settle(rpcError);
    return { ok: false, error: rpcError, committed: delivered > 0 };
  } finally {
    if (!settled) settle(new RpcError({ code: Code.CANCELLED, message: "the client cancelled the stream" }));
  }
}

/**
 * A failure after `delivered` deltas reached the client: the client keeps the text it has, so the message says the
 * answer broke off and how far it got (the code, reason and metadata stay the executor's).
 */
function brokenOff(error: RpcError, delivered: number): RpcError {
  return new RpcError({
    code: error.code,
    message: `the answer stream broke off after ${delivered} ${delivered === 1 ? "delta" : "deltas"}; the text sent so far is incomplete: ${error.message}`,
    reason: error.reason,
    domain: error.domain,
    metadata: { ...error.metadata, deltas: String(delivered) },
    violations: error.violations,
    cause: error,
  });
}
