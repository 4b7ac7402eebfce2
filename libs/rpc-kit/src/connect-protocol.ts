import { create, toBinary, toJson, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { BadRequestSchema, ErrorInfoSchema } from "@modelrouter/contracts";
import { Code, codeName } from "./code.js";
import { END_STREAM_FLAG, encodeEnvelope } from "./connect-envelope.js";
import type { RpcError } from "./rpc-error.js";
import { boundedForWire } from "./wire-bounds.js";

/** The HTTP status of each code in the Connect protocol (connectrpc.com/docs/protocol, "Error Codes"). */
const HTTP_STATUS: Readonly<Record<number, number>> = {
  [Code.CANCELLED]: 499,
  [Code.UNKNOWN]: 500,
  [Code.INVALID_ARGUMENT]: 400,
  [Code.DEADLINE_EXCEEDED]: 504,
  [Code.NOT_FOUND]: 404,
  [Code.ALREADY_EXISTS]: 409,
  [Code.PERMISSION_DENIED]: 403,
  [Code.RESOURCE_EXHAUSTED]: 429,
  [Code.FAILED_PRECONDITION]: 400,
  [Code.ABORTED]: 409,
  [Code.OUT_OF_RANGE]: 400,
  [Code.UNIMPLEMENTED]: 501,
  [Code.INTERNAL]: 500,
  [Code.UNAVAILABLE]: 503,
  [Code.DATA_LOSS]: 500,
  [Code.UNAUTHENTICATED]: 401,
};

/** An HTTP response of the edge. */
export interface EdgeResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | string;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64").replace(/=+$/, "");
}

/**
 * A Connect unary error: the HTTP status of its code and the JSON body of {@link connectErrorJson}.
 */
export function connectError(error: RpcError, extraHeaders: Readonly<Record<string, string>> = {}): EdgeResponse {
  const body = JSON.stringify(connectErrorJson(error));
  return { status: HTTP_STATUS[error.code] ?? 500, headers: { "content-type": "application/json", ...extraHeaders }, body };
}

/**
 * The Connect JSON of an error, `{code, message, details}`, with the `google.rpc.ErrorInfo` and
 * `google.rpc.BadRequest` details as the gRPC transports send them (each also in readable form under `debug`,
 * for people reading curl's output): a unary error's body, or the `error` of a stream's end.
 */
export function connectErrorJson(unbounded: RpcError): object {
  const error = boundedForWire(unbounded);
  const details: object[] = [];
  if (error.reason !== undefined) {
    const info = create(ErrorInfoSchema, { reason: error.reason, domain: error.domain ?? "", metadata: { ...error.metadata } });
    details.push({ type: ErrorInfoSchema.typeName, value: base64(toBinary(ErrorInfoSchema, info)), debug: toJson(ErrorInfoSchema, info) });
  }
  if (error.violations.length > 0) {
    const badRequest = create(BadRequestSchema, { fieldViolations: error.violations.map((v) => ({ field: v.field, description: v.description })) });
    details.push({ type: BadRequestSchema.typeName, value: base64(toBinary(BadRequestSchema, badRequest)), debug: toJson(BadRequestSchema, badRequest) });
  }
  return { code: codeName(error.code).toLowerCase(), message: error.message, ...(details.length > 0 ? { details } : {}) };
}

/**
 * The end-of-stream message of a Connect stream, enveloped with flag 0x02: the JSON object `{}` after a stream
 * that completed, `{"error": {...}}` ({@link connectErrorJson}) after one that failed. Always JSON, whatever the
 * stream's codec.
 */
export function connectEndStream(error?: RpcError): Uint8Array {
  const json = JSON.stringify(error === undefined ? {} : { error: connectErrorJson(error) });
  return encodeEnvelope(END_STREAM_FLAG, new TextEncoder().encode(json));
}

/** A Connect stream's message: the message in the stream's codec, enveloped. */
export function connectStreamMessage(desc: DescMessage, message: MessageShape<DescMessage>, codec: Codec): Uint8Array {
  const data = codec === "json" ? new TextEncoder().encode(JSON.stringify(toJson(desc, message))) : toBinary(desc, message);
  return encodeEnvelope(0, data);
}

/** A Connect unary success: the message in the request's codec. */
export function connectMessage(desc: DescMessage, message: MessageShape<DescMessage>, codec: Codec): EdgeResponse {
  return codec === "json"
    ? { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(toJson(desc, message)) }
    : { status: 200, headers: { "content-type": "application/proto" }, body: toBinary(desc, message) };
}

/** How a Connect message is written: protobuf JSON or binary. */
export type Codec = "json" | "proto";

/** What a request's content type says: the codec, and whether the call is a stream (enveloped messages). */
export interface ContentType {
  readonly codec: Codec;
  readonly stream: boolean;
}

const CONTENT_TYPES: Readonly<Record<string, ContentType>> = {
  "application/json": { codec: "json", stream: false },
  "application/proto": { codec: "proto", stream: false },
  "application/connect+json": { codec: "json", stream: true },
  "application/connect+proto": { codec: "proto", stream: true },
};

/** The content type of a Connect request (unary or streaming), or undefined for one the edge does not speak. */
export function contentTypeOf(contentType: string | undefined): ContentType | undefined {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return CONTENT_TYPES[type];
}

/** The response content type of a stream in `codec`. */
export function streamContentType(codec: Codec): string {
  return codec === "json" ? "application/connect+json" : "application/connect+proto";
}
