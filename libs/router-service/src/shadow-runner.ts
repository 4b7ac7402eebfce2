import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  type ExecuteRequestSchema,
  type ExecuteResponse,
  type Output,
  type Payload,
  type ResolvedTarget,
  type ShadowResult,
  ShadowResultSchema,
} from "@modelrouter/contracts";
import { Code, toRpcError, type CallOptions } from "@modelrouter/rpc-kit";
import { RouteAttr } from "@modelrouter/telemetry";
import { type Context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { compareAnswers } from "./shadow-comparison.js";

const tracer = trace.getTracer("@modelrouter/router-service");

/** Runs one Execute call (with `shadow: true`) on some executor. */
export type ShadowExecute = (
  request: MessageInitShape<typeof ExecuteRequestSchema>,
  options: CallOptions,
) => Promise<ExecuteResponse>;

/** The router's bounds on shadow traffic. */
export interface ShadowSettings {
  /** Shadows running at once in this router; one more is dropped (recorded as dropped). */
  readonly maxInFlight: number;
  /** No shadow runs longer than this, in ms, whatever the request's budget. */
  readonly maxDeadlineMs: number;
}

/** Options of {@link createShadowRunner}. */
export interface ShadowRunnerOptions extends ShadowSettings {
  readonly execute: ShadowExecute;
  /** A monotonic clock in ms, for the shadows' latencies. Default: `performance.now`. */
  readonly clock?: () => number;
}

/** One request's mirrored runs. */
export interface ShadowRun {
  /**
   * Each shadow's result compared with the primary's outputs (undefined when the primary failed), once every
   * shadow has finished or been dropped. Never rejects.
   */
  results(primary: readonly Output[] | undefined): Promise<ShadowResult[]>;
}

/** What one request's shadows need. */
export interface ShadowRequest {
  readonly requestId: string;
  readonly payload: Payload;
  /** The request's own budget in ms (its deadline minus its start): a shadow gets as long, capped. */
  readonly budgetMs: number;
  /** The request's trace context: each `router.shadow` span links to it (it is not its child). */
  readonly traceContext?: Context | undefined;
}

/** Mirrors requests to their shadows, off the request path and bounded router-wide. */
export interface ShadowRunner {
  /** Starts `shadows` (not awaited by anyone on the request path); undefined when there are none. */
  start(shadows: readonly ResolvedTarget[], request: ShadowRequest): ShadowRun | undefined;
  /** Shadows running now. */
  inFlight(): number;
  /** Waits for the shadows running now. */
  close(): Promise<void>;
}

type Finished =
  | { readonly target: ResolvedTarget; readonly ok: true; readonly outputs: readonly Output[]; readonly latencyMs: number }
  | { readonly target: ResolvedTarget; readonly ok: false; readonly code: number; readonly message: string; readonly latencyMs: number };

function resultOf(finished: Finished, primary: readonly Output[] | undefined): ShadowResult {
  const model = finished.target.model;
  if (!finished.ok) {
    return create(ShadowResultSchema, { model, code: finished.code, message: finished.message.slice(0, 1000), latencyMs: finished.latencyMs });
  }
  const compared = compareAnswers(primary ?? [], finished.outputs);
  return create(ShadowResultSchema, {
    model,
    code: Code.OK,
    topLabel: compared.topLabel,
    sameTopLabel: primary !== undefined && compared.sameTopLabel,
    latencyMs: finished.latencyMs,
    ...(primary === undefined || compared.scoreDistance === undefined ? {} : { scoreDistance: compared.scoreDistance }),
  });
}

function startSpan(target: ResolvedTarget, request: ShadowRequest): Span {
  const linked = request.traceContext === undefined ? undefined : trace.getSpanContext(request.traceContext);
  return tracer.startSpan("router.shadow", {
    kind: SpanKind.INTERNAL,
    root: true,
    attributes: {
      [RouteAttr.REQUEST_ID]: request.requestId,
      [RouteAttr.MODEL]: target.model?.name ?? "",
      [RouteAttr.MODEL_VERSION]: target.model?.version ?? "",
    },
    ...(linked === undefined ? {} : { links: [{ context: linked }] }),
  });
}

/**
 * Creates a {@link ShadowRunner}: each shadow's Execute runs with `shadow: true` (the executor runs it only on an
 * idle worker, never queued before real work), its own deadline (the request's budget, at most `maxDeadlineMs`) and its own `router.shadow`
 * span, a root linked to the request's span so that it never counts in the request's duration. Over
 * `maxInFlight` shadows router-wide, a shadow is not started and is recorded as dropped.
 */
export function createShadowRunner(options: ShadowRunnerOptions): ShadowRunner {
  const now = options.clock ?? (() => performance.now());
  const running = new Set<Promise<Finished>>();

  const run = (target: ResolvedTarget, request: ShadowRequest): Promise<Finished> => {
    if (running.size >= options.maxInFlight) {
      const message = `dropped: ${running.size} shadows already run in this router (MODELROUTER_SHADOW_MAX_IN_FLIGHT)`;
      return Promise.resolve({ target, ok: false, code: Code.RESOURCE_EXHAUSTED, message, latencyMs: 0 });
    }
    const span = startSpan(target, request);
    const started = now();
    const timeoutMs = Math.max(1, Math.min(request.budgetMs, options.maxDeadlineMs));
    const traceContext = trace.setSpan(ROOT_CONTEXT, span);
    const call = Promise.resolve()
      .then(() =>
        options.execute(
          { requestId: request.requestId, model: target.model, payload: request.payload, shadow: true, ...(target.backend === undefined ? {} : { backend: target.backend }) },
          { timeoutMs, traceContext },
        ),
      )
      .then(
        (response): Finished => ({ target, ok: true, outputs: response.outputs, latencyMs: now() - started }),
        (error: unknown): Finished => {
          const rpc = toRpcError(error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: rpc.message });
          return { target, ok: false, code: rpc.code, message: rpc.message, latencyMs: now() - started };
        },
      )
      .finally(() => {
        span.end();
        running.delete(call);
      });
    running.add(call);
    return call;
  };

  return {
    start(shadows, request) {
      if (shadows.length === 0) return undefined;
      const runs = shadows.map((target) => run(target, request));
      return { results: async (primary) => (await Promise.all(runs)).map((finished) => resultOf(finished, primary)) };
    },
    inFlight: () => running.size,
    async close() {
      await Promise.all(running);
    },
  };
}
