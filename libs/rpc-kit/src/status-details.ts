import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { anyPack, anyUnpack, type Any } from "@bufbuild/protobuf/wkt";
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema, StatusSchema, type Status } from "@modelrouter/contracts";
import type { FieldViolation } from "@modelrouter/errors";
import { type Code, isCode, Code as Codes } from "./code.js";
import { RpcError } from "./rpc-error.js";
import { boundedForWire } from "./wire-bounds.js";

/** The trailer that carries a binary `google.rpc.Status` with the error details. */
export const STATUS_DETAILS_KEY = "grpc-status-details-bin";

/**
 * The `ErrorInfo` metadata key of a retry hint in whole milliseconds (an overloaded executor sets it); the hint
 * is also sent as a `google.rpc.RetryInfo`, the detail gRPC clients read.
 */
export const RETRY_AFTER_MS_KEY = "retryAfterMs";

/** The trailer in which a gRPC server also sends the retry hint, in milliseconds (gRFC A6's retry pushback). */
export const RETRY_PUSHBACK_KEY = "grpc-retry-pushback-ms";

/**
 * An error as a `google.rpc.Status` with one `ErrorInfo`, for violations a `BadRequest`, and for a retry hint
 * (metadata {@link RETRY_AFTER_MS_KEY}) a `RetryInfo`.
 */
export function statusOf(unbounded: RpcError): Status {
  const error = boundedForWire(unbounded);
  const details: Any[] = [];
  if (error.reason !== undefined) {
    details.push(
      anyPack(
        ErrorInfoSchema,
        create(ErrorInfoSchema, { reason: error.reason, domain: error.domain ?? "", metadata: { ...error.metadata } }),
      ),
    );
  }
  if (error.violations.length > 0) {
    details.push(
      anyPack(
        BadRequestSchema,
        create(BadRequestSchema, {
          fieldViolations: error.violations.map((v) => ({ field: v.field, description: v.description })),
        }),
      ),
    );
  }
  const retryAfterMs = error.metadata[RETRY_AFTER_MS_KEY];
  if (retryAfterMs !== undefined && /^[0-9]{1,9}$/.test(retryAfterMs)) {
    const ms = Number(retryAfterMs);
    details.push(
      anyPack(
        RetryInfoSchema,
        create(RetryInfoSchema, { retryDelay: { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 } }),
      ),
    );
  }
  return create(StatusSchema, { code: error.code, message: error.message, details });
}

/** Encodes an error as a binary `google.rpc.Status` (the `grpc-status-details-bin` trailer). */
export function encodeStatusDetails(error: RpcError): Uint8Array {
  return toBinary(StatusSchema, statusOf(error));
}

/**
 * Rebuilds an {@link RpcError} from a status code, message and (optional) binary `google.rpc.Status`.
 * Details that cannot be decoded are ignored: the code and message always survive.
 */
export function decodeStatusDetails(code: number, message: string, bytes: Uint8Array | undefined): RpcError {
  if (bytes === undefined || bytes.length === 0) return new RpcError({ code: isCode(code) ? code : Codes.UNKNOWN, message });
  let status: Status;
  try {
    status = fromBinary(StatusSchema, bytes);
  } catch {
    return new RpcError({ code: isCode(code) ? code : Codes.UNKNOWN, message });
  }
  return rpcErrorOf(create(StatusSchema, { ...status, code, message }));
}

/** The {@link RpcError} a `google.rpc.Status` describes, with its ErrorInfo and BadRequest details. */
export function rpcErrorOf(status: Status): RpcError {
  let reason: string | undefined;
  let domain: string | undefined;
  let metadata: Record<string, string> = {};
  let violations: FieldViolation[] = [];
  for (const any of status.details) {
    try {
      const info = anyUnpack(any, ErrorInfoSchema);
      if (info !== undefined) {
        reason = info.reason;
        domain = info.domain;
        metadata = { ...info.metadata };
        continue;
      }
      const badRequest = anyUnpack(any, BadRequestSchema);
      if (badRequest !== undefined) {
        violations = badRequest.fieldViolations.map((v) => ({ field: v.field, description: v.description }));
      }
    } catch {
      // An undecodable detail: keep the rest.
    }
  }
  const code: Code = isCode(status.code) ? status.code : Codes.UNKNOWN;
  return new RpcError({ code, message: status.message, reason, domain, metadata, violations });
}
