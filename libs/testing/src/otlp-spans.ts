import {
  type AnyValue,
  type ExportTraceServiceRequest,
  type KeyValue,
  Span_SpanKind,
  Status_StatusCode,
} from "@modelrouter/contracts/otlp";

/**
 * An attribute value as a plain JavaScript value: OTLP `int_value` (int64) becomes a `number` (exact up to
 * 2^53), `bytes_value` a `Uint8Array`, `array_value` an array, `kvlist_value` a plain object, and an empty
 * `AnyValue` (an OpenTelemetry `null`/`undefined` array element) `null`.
 */
export type AttributeValue =
  | string
  | number
  | boolean
  | Uint8Array
  | null
  | readonly AttributeValue[]
  | { readonly [key: string]: AttributeValue };

/** Attributes as a plain object keyed by attribute name. */
export type AttributeMap = Readonly<Record<string, AttributeValue>>;

/** The span kind, named as in the OpenTelemetry API. */
export type SpanKindName = "UNSPECIFIED" | "INTERNAL" | "SERVER" | "CLIENT" | "PRODUCER" | "CONSUMER";

/** The span status code, named as in the OpenTelemetry API. */
export type StatusCodeName = "UNSET" | "OK" | "ERROR";

/** An event recorded on a span (shown as a "Log" in Jaeger). */
export interface ReceivedEvent {
  readonly name: string;
  /** Nanoseconds since the Unix epoch. */
  readonly timeUnixNano: bigint;
  readonly attributes: AttributeMap;
}

/** A link from a span to another span context. Ids are lowercase hex. */
export interface ReceivedLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly attributes: AttributeMap;
}

/**
 * One span as an OTLP receiver got it, flattened out of its resource and scope: every span carries the
 * `service.name` of the process that exported it. Ids are lowercase hex (32 characters for a trace id, 16 for
 * a span id); `parentSpanId` is `""` for a root span.
 */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  /** The W3C `tracestate` of the span, `""` when none. */
  readonly traceState: string;
  readonly name: string;
  readonly kind: SpanKindName;
  /** The resource's `service.name`, `""` when the resource has none. */
  readonly serviceName: string;
  /** All resource attributes (`service.name`, `service.version`, `telemetry.sdk.*`, …). */
  readonly resource: AttributeMap;
  /** The instrumentation scope (the tracer's name and version). */
  readonly scope: { readonly name: string; readonly version: string };
  readonly attributes: AttributeMap;
  readonly events: readonly ReceivedEvent[];
  readonly links: readonly ReceivedLink[];
  readonly status: { readonly code: StatusCodeName; readonly message: string };
  /** Nanoseconds since the Unix epoch. */
  readonly startTimeUnixNano: bigint;
  /** Nanoseconds since the Unix epoch. */
  readonly endTimeUnixNano: bigint;
}

const kindNames: Readonly<Record<Span_SpanKind, SpanKindName>> = {
  [Span_SpanKind.UNSPECIFIED]: "UNSPECIFIED",
  [Span_SpanKind.INTERNAL]: "INTERNAL",
  [Span_SpanKind.SERVER]: "SERVER",
  [Span_SpanKind.CLIENT]: "CLIENT",
  [Span_SpanKind.PRODUCER]: "PRODUCER",
  [Span_SpanKind.CONSUMER]: "CONSUMER",
};

const statusNames: Readonly<Record<Status_StatusCode, StatusCodeName>> = {
  [Status_StatusCode.UNSET]: "UNSET",
  [Status_StatusCode.OK]: "OK",
  [Status_StatusCode.ERROR]: "ERROR",
};

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

function enumName<E extends number, N extends string>(names: Readonly<Record<E, N>>, value: E, what: string): N {
  const name = names[value] as N | undefined;
  if (name === undefined) throw new Error(`unknown ${what} ${value}`);
  return name;
}

function plainValue(value: AnyValue | undefined): AttributeValue {
  const kind = value?.value;
  switch (kind?.case) {
    case undefined:
      return null;
    case "stringValue":
    case "boolValue":
    case "doubleValue":
    case "bytesValue":
      return kind.value;
    case "intValue":
      return Number(kind.value);
    case "arrayValue":
      return kind.value.values.map(plainValue);
    case "kvlistValue":
      return plainAttributes(kind.value.values);
  }
}

/** Converts OTLP key/value pairs into a plain object (a repeated key keeps its last value). */
export function plainAttributes(pairs: readonly KeyValue[]): AttributeMap {
  const out: Record<string, AttributeValue> = {};
  for (const pair of pairs) out[pair.key] = plainValue(pair.value);
  return out;
}

/**
 * Flattens a decoded `ExportTraceServiceRequest` into one {@link ReceivedSpan} per span, in request order.
 *
 * @throws Error when a span kind or status code is outside the OTLP enums (a sign of a wrong field number).
 */
export function flattenExportRequest(request: ExportTraceServiceRequest): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans) {
    const resource = plainAttributes(resourceSpans.resource?.attributes ?? []);
    const serviceName = resource["service.name"];
    for (const scopeSpans of resourceSpans.scopeSpans) {
      const scope = { name: scopeSpans.scope?.name ?? "", version: scopeSpans.scope?.version ?? "" };
      for (const span of scopeSpans.spans) {
        out.push({
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: hex(span.parentSpanId),
          traceState: span.traceState,
          name: span.name,
          kind: enumName(kindNames, span.kind, "span kind"),
          serviceName: typeof serviceName === "string" ? serviceName : "",
          resource,
          scope,
          attributes: plainAttributes(span.attributes),
          events: span.events.map((event) => ({
            name: event.name,
            timeUnixNano: event.timeUnixNano,
            attributes: plainAttributes(event.attributes),
          })),
          links: span.links.map((link) => ({
            traceId: hex(link.traceId),
            spanId: hex(link.spanId),
            attributes: plainAttributes(link.attributes),
          })),
          status: {
            code: enumName(statusNames, span.status?.code ?? Status_StatusCode.UNSET, "status code"),
            message: span.status?.message ?? "",
          },
          startTimeUnixNano: span.startTimeUnixNano,
          endTimeUnixNano: span.endTimeUnixNano,
        });
      }
    }
  }
  return out;
}
