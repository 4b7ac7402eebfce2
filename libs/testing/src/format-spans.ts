import type { AttributeMap, AttributeValue, ReceivedSpan } from "./otlp-spans.js";

function formatValue(value: AttributeValue): string {
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString("hex")}`;
  return JSON.stringify(value);
}

function formatAttributes(attributes: AttributeMap): string {
  const entries = Object.entries(attributes);
  return entries.length === 0 ? "" : ` {${entries.map(([key, value]) => `${key}=${formatValue(value)}`).join(", ")}}`;
}

/**
 * One line per span, for failure messages: service, kind, name, ids, status, attributes and event names, e.g.
 * `[router] SERVER grpc.x.v1.S/M trace=4bf9… span=00f0… parent=- status=ERROR "boom" {rpc.system="grpc"} events=[route.chosen]`.
 * At most `limit` spans are listed (default 50), then a count of the rest.
 */
export function formatSpans(spans: readonly ReceivedSpan[], limit = 50): string {
  if (spans.length === 0) return "  (no spans)";
  const lines = spans.slice(0, limit).map((span) => {
    const status = span.status.code === "UNSET" ? "" : ` status=${span.status.code}`;
    const message = span.status.message === "" ? "" : ` ${JSON.stringify(span.status.message)}`;
    const events = span.events.length === 0 ? "" : ` events=[${span.events.map((event) => event.name).join(", ")}]`;
    return (
      `  [${span.serviceName}] ${span.kind} ${span.name} trace=${span.traceId} span=${span.spanId} ` +
      `parent=${span.parentSpanId === "" ? "-" : span.parentSpanId}${status}${message}` +
      `${formatAttributes(span.attributes)}${events}`
    );
  });
  if (spans.length > limit) lines.push(`  … and ${spans.length - limit} more`);
  return lines.join("\n");
}
