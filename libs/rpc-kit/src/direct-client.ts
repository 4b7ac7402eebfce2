import type { DescMessage, DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { trace, type Span } from "@opentelemetry/api";
import { resolveDeadline, type CallContext, type CallOptions } from "./call-context.js";
import { LocalCallContext, MAX_TIMER_MS } from "./local-call-context.js";
import { Code } from "./code.js";
import { toRpcError, type UnexpectedErrorListener } from "./error-table.js";
import { methodSpecs, type MethodSpec } from "./method-spec.js";
import { RpcError } from "./rpc-error.js";
import type { ServiceClient, ServiceImpl } from "./service-types.js";
import { endRpcSpan, parentTraceContext, runInContext, startDirectSpan } from "./tracing.js";

/** Options of {@link createDirectClient}. */
export interface DirectClientOptions {
  /** The deadline of a call that has neither its own nor a parent's. */
  readonly defaultTimeoutMs: number;
  /** Called with every error a handler threw that is not a domain or RPC error (a bug). */
  readonly onUnexpectedError?: UnexpectedErrorListener;
}

function deadlineError(): RpcError {
  return new RpcError({ code: Code.DEADLINE_EXCEEDED, message: "deadline exceeded" });
}

/** Resolves with `work`, or rejects when the deadline passes or the signal aborts first. */
function race<T>(work: Promise<T>, deadline: number, signal: AbortSignal | undefined): Promise<T> {
  const delay = deadline - Date.now();
  const timed = delay <= MAX_TIMER_MS;
  if (!timed && signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => reject(new RpcError({ code: Code.CANCELLED, message: "cancelled by the caller" }));
    const cleanup = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    if (timed) timer = setTimeout(() => reject(deadlineError()), Math.max(0, delay));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}

/** The deadline, span and context of one in-process call. */
function startCall(spec: MethodSpec, callOptions: CallOptions | undefined, defaultTimeoutMs: number) {
  const deadline = resolveDeadline(callOptions, defaultTimeoutMs, Date.now());
  const parent = parentTraceContext(callOptions);
  const span = startDirectSpan(spec, parent);
  const sources = [callOptions?.signal, callOptions?.parent];
  const ctx = new LocalCallContext("direct", spec.path, deadline, sources, callOptions?.headers, trace.setSpan(parent, span));
  return { deadline, span, ctx };
}

function unaryCall(spec: MethodSpec, impl: Readonly<Record<string, unknown>>, options: DirectClientOptions) {
  const fn = impl[spec.localName] as (req: unknown, ctx: CallContext) => Promise<MessageShape<DescMessage>>;
  return async (init: MessageInitShape<DescMessage>, callOptions?: CallOptions): Promise<MessageShape<DescMessage>> => {
    const { deadline, span, ctx } = startCall(spec, callOptions, options.defaultTimeoutMs);
    let handlerDone = false;
    try {
      if (deadline <= Date.now()) throw deadlineError();
      const work = runInContext(ctx.traceContext, fn, spec.toRequest(init), ctx);
      work.then(
        () => (handlerDone = true),
        () => (handlerDone = true),
      );
      const response = await race(work, deadline, callOptions?.signal);
      endRpcSpan(span, Code.OK);
      return response;
    } catch (error) {
      // The caller gave up (deadline or abort) before the handler finished: the handler sees its signal abort,
      // as it would on a cancelled gRPC stream, whichever timer fired first.
      if (!handlerDone) ctx.cancel();
      // Past the deadline the outcome is DEADLINE_EXCEEDED, whatever the handler made of its aborted signal.
      const rpcError = ctx.expired ? deadlineError() : toRpcError(error, options.onUnexpectedError);
      endRpcSpan(span, rpcError.code, rpcError.message);
      throw rpcError;
    } finally {
      ctx.finish();
    }
  };
}

async function* mapStream(
  span: Span,
  ctx: LocalCallContext,
  items: AsyncIterable<MessageShape<DescMessage>>,
  onUnexpected: UnexpectedErrorListener | undefined,
): AsyncGenerator<MessageShape<DescMessage>> {
  let code: number = Code.OK;
  let message: string | undefined;
  try {
    for await (const item of items) yield item;
  } catch (error) {
    const rpcError = toRpcError(error, onUnexpected);
    code = rpcError.code;
    message = rpcError.message;
    throw rpcError;
  } finally {
    ctx.finish();
    endRpcSpan(span, code, message);
  }
}

function streamingCall(spec: MethodSpec, impl: Readonly<Record<string, unknown>>, options: DirectClientOptions) {
  const fn = impl[spec.localName] as (input: unknown, ctx: CallContext) => AsyncIterable<MessageShape<DescMessage>>;
  const bidi = spec.kind === "bidi_streaming";
  return (input: unknown, callOptions?: CallOptions): AsyncIterable<MessageShape<DescMessage>> => ({
    [Symbol.asyncIterator]() {
      const { span, ctx } = startCall(spec, callOptions, options.defaultTimeoutMs);
      const request = bidi
        ? mapRequests(input as AsyncIterable<MessageInitShape<DescMessage>>, spec)
        : spec.toRequest(input as MessageInitShape<DescMessage>);
      const items = runInContext(ctx.traceContext, fn, request, ctx);
      return mapStream(span, ctx, items, options.onUnexpectedError);
    },
  });
}

async function* mapRequests(
  requests: AsyncIterable<MessageInitShape<DescMessage>>,
  spec: MethodSpec,
): AsyncGenerator<MessageShape<DescMessage>> {
  for await (const request of requests) yield spec.toRequest(request);
}

/**
 * A client that calls a service implementation in the same process: the co-located topology. It has the
 * same type and the same error behaviour as the gRPC client (domain errors become {@link RpcError}s by the
 * same table, deadlines are enforced) and records one span per hop, without any encoding or network.
 * Messages are passed by reference: handlers must not change their requests.
 */
export function createDirectClient<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  options: DirectClientOptions,
): ServiceClient<S> {
  const implementation = impl as Readonly<Record<string, unknown>>;
  const client: Record<string, unknown> = {};
  for (const spec of methodSpecs(service)) {
    client[spec.localName] =
      spec.kind === "unary" ? unaryCall(spec, implementation, options) : streamingCall(spec, implementation, options);
  }
  return client as ServiceClient<S>;
}
