import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from "@opentelemetry/api";
import { Code, codeName } from "./code.js";
import type { MethodSpec } from "./method-spec.js";

/**
 * RPC semantic-convention attribute names, as emitted by `@opentelemetry/instrumentation-grpc` today
 * (semconv ≤ 1.37), so that Jaeger searches work the same across services.
 */
export const RpcAttr = {
  SYSTEM: "rpc.system",
  SERVICE: "rpc.service",
  METHOD: "rpc.method",
  GRPC_STATUS_CODE: "rpc.grpc.status_code",
  SERVER_ADDRESS: "server.address",
  SERVER_PORT: "server.port",
} as const;

/** The `rpc.system` of a span: gRPC on the wire, Connect at the HTTP edge, or an in-process call. */
export type RpcSystem = "grpc" | "connect_rpc" | "modelrouter_direct";

const tracer = trace.getTracer("@modelrouter/rpc-kit");

/** Reads W3C trace context from any string-keyed carrier. */
export const recordGetter: TextMapGetter<ReadonlyMap<string, string>> = {
  get: (carrier, key) => carrier.get(key),
  keys: (carrier) => [...carrier.keys()],
};

/** Reads W3C trace context from a plain record of headers. */
export const recordHeadersGetter: TextMapGetter<Readonly<Record<string, string>>> = {
  get: (carrier, key) => carrier[key],
  keys: (carrier) => Object.keys(carrier),
};

/** Writes W3C trace context into a plain record. */
export const recordSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** Starts the span of a call received by a server; `parent` is the context extracted from the request. */
export function startServerSpan(spec: MethodSpec, system: RpcSystem, parent: Context): Span {
  return tracer.startSpan(
    spec.spanName,
    {
      kind: SpanKind.SERVER,
      attributes: {
        [RpcAttr.SYSTEM]: system,
        [RpcAttr.SERVICE]: spec.service.typeName,
        [RpcAttr.METHOD]: spec.method.name,
      },
    },
    parent,
  );
}

/**
 * The trace context an outbound call's span goes under: the one it is given, else its parent call's, else the
 * active one (which is the root unless the application registered a context manager of its own).
 */
export function parentTraceContext(
  options: { readonly traceContext?: Context; readonly parent?: { readonly traceContext: Context } } | undefined,
): Context {
  return options?.traceContext ?? options?.parent?.traceContext ?? context.active();
}

/** Starts the span of an outbound call, as a child of `parent`. */
export function startClientSpan(spec: MethodSpec, host: string, port: number | undefined, parent: Context): Span {
  const attributes: Record<string, string | number> = {
    [RpcAttr.SYSTEM]: "grpc",
    [RpcAttr.SERVICE]: spec.service.typeName,
    [RpcAttr.METHOD]: spec.method.name,
    [RpcAttr.SERVER_ADDRESS]: host,
  };
  if (port !== undefined) attributes[RpcAttr.SERVER_PORT] = port;
  return tracer.startSpan(spec.spanName, { kind: SpanKind.CLIENT, attributes }, parent);
}

/** Starts the one span of an in-process hop in the co-located topology, as a child of `parent`. */
export function startDirectSpan(spec: MethodSpec, parent: Context): Span {
  return tracer.startSpan(
    spec.spanName,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        [RpcAttr.SYSTEM]: "modelrouter_direct",
        [RpcAttr.SERVICE]: spec.service.typeName,
        [RpcAttr.METHOD]: spec.method.name,
      },
    },
    parent,
  );
}

/** Records the call's status on its span and ends it. */
export function endRpcSpan(span: Span, code: number, message?: string): void {
  span.setAttribute(RpcAttr.GRPC_STATUS_CODE, code);
  if (code !== Code.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: `${codeName(code)}: ${message ?? ""}` });
  span.end();
}

/** The context to run a handler in: the extracted parent with the server span made active. */
export function activeContextFor(span: Span, parent: Context): Context {
  return trace.setSpan(parent, span);
}

/** Extracts the caller's trace context from request headers. */
export function extractContext<C>(carrier: C, getter: TextMapGetter<C>): Context {
  return propagation.extract(ROOT_CONTEXT, carrier, getter);
}

/** Writes the trace context of `span` (a child of `parent`) into outgoing headers. */
export function injectContext<C>(span: Span, parent: Context, carrier: C, setter: TextMapSetter<C>): void {
  propagation.inject(trace.setSpan(parent, span), carrier, setter);
}

/** Runs `fn` with `ctx` as the active OpenTelemetry context. */
export function runInContext<A extends unknown[], R>(ctx: Context, fn: (...args: A) => R, ...args: A): R {
  return context.with(ctx, fn, undefined, ...args);
}

/** The span of a call (its server or in-process span), or undefined when it has none. */
export function callSpan(ctx: { readonly traceContext: Context }): Span | undefined {
  return trace.getSpan(ctx.traceContext);
}

/** The W3C trace id of a call, or "" when it is not traced. */
export function callTraceId(ctx: { readonly traceContext: Context }): string {
  const spanContext = callSpan(ctx)?.spanContext();
  if (spanContext === undefined || !trace.isSpanContextValid(spanContext)) return "";
  return spanContext.traceId;
}

/** The trace and span ids of a call as log fields (`trace_id`, `span_id`), or none when it is not traced. */
export function traceLogFields(ctx: { readonly traceContext: Context }): Record<string, string> {
  const spanContext = callSpan(ctx)?.spanContext();
  if (spanContext === undefined || !trace.isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
