import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type AttributeValue as OtelAttributeValue,
  type HrTime,
} from "@opentelemetry/api";
import { TraceState } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import type { AttributeMap, AttributeValue, ReceivedSpan, SpanKindName, StatusCodeName } from "./otlp-spans.js";

/** A remote parent (as if extracted from a `traceparent` header), so that the root span has a parent and a tracestate. */
export const REMOTE_PARENT = {
  traceId: "0af7651916cd43dd8448eb211c80319c",
  spanId: "b7ad6b7169203331",
  traceState: "vendor=value,other=1",
};

/** One attribute of every type the OpenTelemetry API allows, with edge values (negative, 2^53 − 1, empty, null elements). */
const everyAttributeType: Attributes = {
  "attr.string": "text with ünïcödé",
  "attr.string.empty": "",
  "attr.int": 42,
  "attr.int.negative": -7,
  "attr.int.max_safe": Number.MAX_SAFE_INTEGER,
  "attr.double": 3.25,
  "attr.double.negative": -0.5,
  "attr.bool.true": true,
  "attr.bool.false": false,
  "attr.array.string": ["a", "b", ""],
  "attr.array.int": [1, -2, 3],
  "attr.array.double": [1.5, 2.25],
  "attr.array.bool": [true, false],
  "attr.array.with_null": ["x", null, "z"],
};

/**
 * Spans made by the real OpenTelemetry SDK: a SERVER root under a remote parent (with a tracestate), then one
 * child of each other kind with attributes of every type, events, a link, OK and ERROR statuses, under a
 * resource with several attribute types.
 */
export async function sdkSpans(): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      "service.name": "self-test",
      "service.version": "9.9.9",
      "service.instance.id": 12,
      "deployment.flag": true,
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("decoder-self-test", "1.0.0");
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: REMOTE_PARENT.traceId,
    spanId: REMOTE_PARENT.spanId,
    traceFlags: 1,
    isRemote: true,
    traceState: new TraceState(REMOTE_PARENT.traceState),
  });
  const root = tracer.startSpan("root.server", { kind: SpanKind.SERVER, attributes: everyAttributeType }, remote);
  const inRoot = trace.setSpan(remote, root);
  const kinds = [SpanKind.INTERNAL, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER];
  for (const kind of kinds) {
    const child = tracer.startSpan(
      `child.${SpanKind[kind].toLowerCase()}`,
      {
        kind,
        attributes: { "child.kind": kind },
        links: [{ context: root.spanContext(), attributes: { "link.reason": "follows", "link.n": 2 } }],
      },
      inRoot,
    );
    child.addEvent("event.with.attributes", { "event.int": 1, "event.list": ["p", "q"] });
    child.addEvent("event.bare");
    child.setStatus(
      kind === SpanKind.CLIENT
        ? { code: SpanStatusCode.ERROR, message: "UNAVAILABLE: connection refused" }
        : { code: SpanStatusCode.OK },
    );
    child.end();
  }
  root.end();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

/**
 * A copy of `span` whose attributes hold the two OTLP value types the SDK itself never produces for spans
 * (nested key/value lists and bytes), which the official serialisers still encode; a hand-made span is the
 * only way to check their field numbers.
 */
export function withNestedAndBytes(span: ReadableSpan): ReadableSpan {
  const attributes = {
    "attr.bytes": new Uint8Array([0, 1, 254, 255]),
    "attr.kvlist": { inner: "value", depth: { n: 3 } },
  } as unknown as Attributes;
  return {
    name: "hand.made",
    kind: span.kind,
    spanContext: () => ({ ...span.spanContext(), spanId: "1122334455667788" }),
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes,
    links: [],
    events: [],
    duration: span.duration,
    ended: true,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

const kindNames: Readonly<Record<SpanKind, SpanKindName>> = {
  [SpanKind.INTERNAL]: "INTERNAL",
  [SpanKind.SERVER]: "SERVER",
  [SpanKind.CLIENT]: "CLIENT",
  [SpanKind.PRODUCER]: "PRODUCER",
  [SpanKind.CONSUMER]: "CONSUMER",
};

const statusNames: Readonly<Record<SpanStatusCode, StatusCodeName>> = {
  [SpanStatusCode.UNSET]: "UNSET",
  [SpanStatusCode.OK]: "OK",
  [SpanStatusCode.ERROR]: "ERROR",
};

function nanos([seconds, nanoseconds]: HrTime): bigint {
  return BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds);
}

function plain(value: unknown): AttributeValue {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Uint8Array) return value;
  if (typeof value === "object") return plainMap(value as Record<string, unknown>);
  return value as string | number | boolean;
}

function plainMap(attributes: Readonly<Record<string, OtelAttributeValue | unknown>>): AttributeMap {
  return Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, plain(value)]));
}

/** What a correct receiver must report for `span`: the SDK's own view of it, in the receiver's shape. */
export function expectedSpan(span: ReadableSpan): ReceivedSpan {
  const context = span.spanContext();
  const resource = plainMap(span.resource.attributes);
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? "",
    traceState: context.traceState?.serialize() ?? "",
    name: span.name,
    kind: kindNames[span.kind],
    serviceName: String(resource["service.name"]),
    resource,
    scope: { name: span.instrumentationScope.name, version: span.instrumentationScope.version ?? "" },
    attributes: plainMap(span.attributes),
    events: span.events.map((event) => ({
      name: event.name,
      timeUnixNano: nanos(event.time),
      attributes: plainMap(event.attributes ?? {}),
    })),
    links: span.links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      attributes: plainMap(link.attributes ?? {}),
    })),
    status: { code: statusNames[span.status.code], message: span.status.message ?? "" },
    startTimeUnixNano: nanos(span.startTime),
    endTimeUnixNano: nanos(span.endTime),
  };
}

/** Spans ordered by span id, so that lists can be compared whatever order an encoder grouped them in. */
export function bySpanId<S extends { readonly spanId: string }>(spans: readonly S[]): S[] {
  return [...spans].sort((a, b) => a.spanId.localeCompare(b.spanId));
}
