import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { ErrorReason, ERROR_DOMAIN, type FieldViolation } from "@modelrouter/errors";
import { Code } from "./code.js";
import { diagnoseUndecodable } from "./decode-diagnosis.js";
import { gunzipIfCompressed } from "./message-encoding.js";
import { RpcError } from "./rpc-error.js";

const UNDECODABLE: unique symbol = Symbol("modelrouter.undecodable");

/**
 * A request that could not be decoded, standing in for the message so that the transport's decoder never
 * throws (grpc-js would answer INTERNAL): the call lifecycle answers with its error instead.
 */
export interface Undecodable {
  readonly [UNDECODABLE]: RpcError;
}

/**
 * Decodes a message as it came in a gRPC frame — gunzipped first when it is gzip (see `gunzipIfCompressed`) —
 * or an {@link Undecodable} naming the problem.
 */
export function decodeFrameMessage(desc: DescMessage, bytes: Uint8Array, maxBytes: number): MessageShape<DescMessage> | Undecodable {
  const inflated = gunzipIfCompressed(bytes, maxBytes);
  if ("problem" in inflated) return { [UNDECODABLE]: invalidRequest({ field: "request", description: inflated.problem }) };
  return decodeMessage(desc, inflated);
}

/** Decodes a message; bytes that are not one give an {@link Undecodable} naming the field at fault. */
export function decodeMessage(desc: DescMessage, bytes: Uint8Array): MessageShape<DescMessage> | Undecodable {
  try {
    return fromBinary(desc, bytes);
  } catch (error) {
    return { [UNDECODABLE]: undecodableError(desc, bytes, error) };
  }
}

/** The INVALID_ARGUMENT of bytes that are not a `desc` message, with a `BadRequest` naming the field. */
export function undecodableError(desc: DescMessage, bytes: Uint8Array, error: unknown): RpcError {
  return invalidRequest(diagnoseUndecodable(desc, bytes, error));
}

/** The INVALID_ARGUMENT of a request that could not be decoded because of `violation`. */
export function invalidRequest(violation: FieldViolation): RpcError {
  return new RpcError({
    code: Code.INVALID_ARGUMENT,
    message: `the request could not be decoded: ${violation.field}: ${violation.description}`,
    reason: ErrorReason.INVALID_FIELD,
    domain: ERROR_DOMAIN,
    metadata: { fields: violation.field },
    violations: [violation],
  });
}

/** A request that could not be decoded because of `error`, for the call lifecycle to answer (after authentication). */
export function undecodableAs(error: RpcError): Undecodable {
  return { [UNDECODABLE]: error };
}

/** The error of a request that could not be decoded, or undefined for a decoded message. */
export function undecodable(request: unknown): RpcError | undefined {
  return typeof request === "object" && request !== null && UNDECODABLE in request ? (request as Undecodable)[UNDECODABLE] : undefined;
}
