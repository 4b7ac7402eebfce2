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

/** Starts the span of an outbound call, as a child of the active span. */
export function startClientSpan(spec: MethodSpec, host: string, port: number | undefined): Span {
  const attributes: Record<string, string | number> = {
    [RpcAttr.SYSTEM]: "grpc",
    [RpcAttr.SERVICE]: spec.service.typeName,
    [RpcAttr.METHOD]: spec.method.name,
    [RpcAttr.SERVER_ADDRESS]: host,
  };
  if (port !== undefined) attributes[RpcAttr.SERVER_PORT] = port;
  return tracer.startSpan(spec.spanName, { kind: SpanKind.CLIENT, attributes });
}

/** Starts the one span of an in-process hop in the co-located topology. */
export function startDirectSpan(spec: MethodSpec): Span {
  return tracer.startSpan(spec.spanName, {
    kind: SpanKind.INTERNAL,
    attributes: {
      [RpcAttr.SYSTEM]: "modelrouter_direct",
      [RpcAttr.SERVICE]: spec.service.typeName,
      [RpcAttr.METHOD]: spec.method.name,
    },
  });
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

/** Writes the trace context of `span` (as a child of the active context) into outgoing headers. */
export function injectContext<C>(span: Span, carrier: C, setter: TextMapSetter<C>): void {
  propagation.inject(trace.setSpan(context.active(), span), carrier, setter);
}

/** Runs `fn` with `ctx` as the active OpenTelemetry context. */
export function runInContext<A extends unknown[], R>(ctx: Context, fn: (...args: A) => R, ...args: A): R {
  return context.with(ctx, fn, undefined, ...args);
}

/** The W3C trace id of the active span, or "" when nothing is traced. */
export function activeTraceId(): string {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext === undefined || !trace.isSpanContextValid(spanContext)) return "";
  return spanContext.traceId;
}
