import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import { BadRequestSchema, ErrorInfoSchema, StatusSchema } from "@modelrouter/contracts";
import type { FieldViolation } from "@modelrouter/errors";
import { type Code, isCode, Code as Codes } from "./code.js";
import { RpcError } from "./rpc-error.js";

/** The trailer that carries a binary `google.rpc.Status` with the error details. */
export const STATUS_DETAILS_KEY = "grpc-status-details-bin";

/** Encodes an error as a `google.rpc.Status` with one `ErrorInfo` and, for violations, a `BadRequest`. */
export function encodeStatusDetails(error: RpcError): Uint8Array {
  const details = [];
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
  return toBinary(StatusSchema, create(StatusSchema, { code: error.code, message: error.message, details }));
}

/**
 * Rebuilds an {@link RpcError} from a status code, message and (optional) binary `google.rpc.Status`.
 * Details that cannot be decoded are ignored: the code and message always survive.
 */
export function decodeStatusDetails(code: number, message: string, bytes: Uint8Array | undefined): RpcError {
  const safeCode: Code = isCode(code) ? code : Codes.UNKNOWN;
  if (bytes === undefined || bytes.length === 0) return new RpcError({ code: safeCode, message });
  let reason: string | undefined;
  let domain: string | undefined;
  let metadata: Record<string, string> = {};
  let violations: FieldViolation[] = [];
  try {
    const status = fromBinary(StatusSchema, bytes);
    for (const any of status.details) {
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
    }
  } catch {
    // Undecodable details: keep code and message.
  }
  return new RpcError({ code: safeCode, message, reason, domain, metadata, violations });
}
