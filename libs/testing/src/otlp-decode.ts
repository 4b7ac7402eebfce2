import { create, fromBinary, fromJson, toBinary, toJsonString, type JsonValue } from "@bufbuild/protobuf";
import {
  type ExportTraceServiceRequest,
  ExportTraceServiceRequestSchema,
  ExportTraceServiceResponseSchema,
} from "@modelrouter/contracts/otlp";

/** The two OTLP/HTTP encodings: binary protobuf and OTLP/JSON. */
export type OtlpFormat = "protobuf" | "json";

/** The content type of each encoding. */
export const otlpContentType: Readonly<Record<OtlpFormat, string>> = {
  protobuf: "application/x-protobuf",
  json: "application/json",
};

/** The encoding of a `Content-Type` header value (parameters such as `charset` ignored), if it is OTLP's. */
export function otlpFormatOf(contentType: string | undefined): OtlpFormat | undefined {
  const mediaType = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType === otlpContentType.protobuf) return "protobuf";
  if (mediaType === otlpContentType.json) return "json";
  return undefined;
}

const idFields: readonly (readonly [string, string])[] = [
  ["traceId", "trace_id"],
  ["spanId", "span_id"],
  ["parentSpanId", "parent_span_id"],
];

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function objects(value: JsonValue | undefined): { [key: string]: JsonValue }[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function field(object: { [key: string]: JsonValue }, camel: string, snake: string): JsonValue | undefined {
  return object[camel] ?? object[snake];
}

function hexToBase64(value: JsonValue, path: string): string {
  if (typeof value !== "string" || value.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(value)) {
    throw new Error(`${path}: expected an even-length hex string, got ${JSON.stringify(value)}`);
  }
  return Buffer.from(value, "hex").toString("base64");
}

function rewriteIds(object: { [key: string]: JsonValue }, path: string): void {
  for (const [camel, snake] of idFields) {
    for (const key of [camel, snake]) {
      const value = object[key];
      if (value !== undefined && value !== null) object[key] = hexToBase64(value, `${path}.${key}`);
    }
  }
}

/**
 * Rewrites OTLP/JSON's hex trace and span ids into the base64 of the protobuf JSON mapping, in place.
 * protobuf-es `fromJson` reads `bytes` as base64, and hex digits are valid base64, so without this a 32-digit
 * trace id silently decodes into 24 wrong bytes.
 */
function hexIdsToBase64(root: JsonValue): void {
  if (!isObject(root)) return;
  objects(field(root, "resourceSpans", "resource_spans")).forEach((resourceSpans, r) => {
    objects(field(resourceSpans, "scopeSpans", "scope_spans")).forEach((scopeSpans, s) => {
      objects(scopeSpans["spans"]).forEach((span, i) => {
        const path = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
        rewriteIds(span, path);
        objects(span["links"]).forEach((link, l) => rewriteIds(link, `${path}.links[${l}]`));
      });
    });
  });
}

/**
 * Decodes the body of an OTLP/HTTP trace export. OTLP/JSON differs from the protobuf JSON mapping only in its
 * ids (hex, not base64), which are converted first; enums may be numbers or names, 64-bit integers numbers or
 * strings, and unknown fields are ignored as the OTLP specification requires of receivers.
 *
 * @throws Error describing the first problem when the body is not a valid request.
 */
export function decodeExportRequest(body: Uint8Array, format: OtlpFormat): ExportTraceServiceRequest {
  if (format === "protobuf") return fromBinary(ExportTraceServiceRequestSchema, body);
  const json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)) as JsonValue;
  hexIdsToBase64(json);
  return fromJson(ExportTraceServiceRequestSchema, json, { ignoreUnknownFields: true });
}

/** An empty `ExportTraceServiceResponse` (full success) in the given encoding. */
export function encodeExportResponse(format: OtlpFormat): Uint8Array {
  const response = create(ExportTraceServiceResponseSchema);
  return format === "protobuf"
    ? toBinary(ExportTraceServiceResponseSchema, response)
    : new TextEncoder().encode(toJsonString(ExportTraceServiceResponseSchema, response));
}
