import { create, toBinary, toJson, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { BadRequestSchema, ErrorInfoSchema } from "@modelrouter/contracts";
import { Code, codeName } from "./code.js";
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
 * A Connect unary error: the HTTP status of its code and the JSON body `{code, message, details}`, with the
 * `google.rpc.ErrorInfo` and `google.rpc.BadRequest` details as the gRPC transports send them (each also in
 * readable form under `debug`, for people reading curl's output).
 */
export function connectError(unbounded: RpcError, extraHeaders: Readonly<Record<string, string>> = {}): EdgeResponse {
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
  const body = JSON.stringify({ code: codeName(error.code).toLowerCase(), message: error.message, ...(details.length > 0 ? { details } : {}) });
  return { status: HTTP_STATUS[error.code] ?? 500, headers: { "content-type": "application/json", ...extraHeaders }, body };
}

/** A Connect unary success: the message in the request's codec. */
export function connectMessage(desc: DescMessage, message: MessageShape<DescMessage>, codec: "json" | "proto"): EdgeResponse {
  return codec === "json"
    ? { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(toJson(desc, message)) }
    : { status: 200, headers: { "content-type": "application/proto" }, body: toBinary(desc, message) };
}

/** The codec of a Connect unary request's content type, or undefined for one the edge does not speak. */
export function codecOf(contentType: string | undefined): "json" | "proto" | undefined {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json") return "json";
  if (type === "application/proto") return "proto";
  return undefined;
}
