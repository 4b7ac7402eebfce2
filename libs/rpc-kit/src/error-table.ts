import { type DomainError, ERROR_DOMAIN, ErrorReason, isDomainError } from "@modelrouter/errors";
import { Code } from "./code.js";
import { RpcError, isRpcError } from "./rpc-error.js";

/**
 * The one table that maps domain error reasons to gRPC codes. TypeScript checks that every reason has a code.
 */
export const reasonCodes: Readonly<Record<ErrorReason, Code>> = {
  [ErrorReason.INVALID_FIELD]: Code.INVALID_ARGUMENT,
  [ErrorReason.POLICY_INVALID]: Code.INVALID_ARGUMENT,
  [ErrorReason.PAYLOAD_UNSUPPORTED]: Code.INVALID_ARGUMENT,
  [ErrorReason.MODEL_NOT_FOUND]: Code.NOT_FOUND,
  [ErrorReason.API_KEY_NOT_FOUND]: Code.NOT_FOUND,
  [ErrorReason.POLICY_NOT_FOUND]: Code.NOT_FOUND,
  [ErrorReason.REQUEST_NOT_FOUND]: Code.NOT_FOUND,
  [ErrorReason.MODEL_VERSION_EXISTS]: Code.ALREADY_EXISTS,
  [ErrorReason.POLICY_EXISTS]: Code.ALREADY_EXISTS,
  [ErrorReason.REVISION_CONFLICT]: Code.ABORTED,
  [ErrorReason.NO_ROUTE]: Code.FAILED_PRECONDITION,
  [ErrorReason.NO_SERVABLE_MODEL]: Code.FAILED_PRECONDITION,
  [ErrorReason.MODEL_UNAVAILABLE]: Code.UNAVAILABLE,
  [ErrorReason.SERVICE_NOT_READY]: Code.UNAVAILABLE,
  [ErrorReason.OVERLOADED]: Code.RESOURCE_EXHAUSTED,
  [ErrorReason.QUOTA_EXCEEDED]: Code.RESOURCE_EXHAUSTED,
  [ErrorReason.TENANT_RATE_LIMITED]: Code.RESOURCE_EXHAUSTED,
  [ErrorReason.TENANT_CONCURRENCY_LIMITED]: Code.RESOURCE_EXHAUSTED,
  [ErrorReason.LOAD_SHED]: Code.UNAVAILABLE,
  [ErrorReason.UNAUTHENTICATED]: Code.UNAUTHENTICATED,
  [ErrorReason.PERMISSION_DENIED]: Code.PERMISSION_DENIED,
  [ErrorReason.CREDENTIAL_UNVERIFIABLE]: Code.UNAVAILABLE,
  [ErrorReason.DEADLINE_EXCEEDED]: Code.DEADLINE_EXCEEDED,
  [ErrorReason.CANCELLED]: Code.CANCELLED,
  [ErrorReason.INTERNAL]: Code.INTERNAL,
};

/** Called with every error that is not a domain or RPC error (a bug), before it is hidden from the client. */
export type UnexpectedErrorListener = (error: unknown) => void;

/**
 * Turns anything a handler threw into the {@link RpcError} a client sees: domain errors by the table, RPC
 * errors from downstream calls as they are, and everything else as INTERNAL with a message that leaks nothing.
 */
export function toRpcError(error: unknown, onUnexpected?: UnexpectedErrorListener): RpcError {
  if (isRpcError(error)) return error;
  if (isDomainError(error)) return fromDomainError(error);
  onUnexpected?.(error);
  return new RpcError({
    code: Code.INTERNAL,
    message: "internal error; the server logged the cause",
    reason: ErrorReason.INTERNAL,
    domain: ERROR_DOMAIN,
    cause: error,
  });
}

function fromDomainError(error: DomainError): RpcError {
  return new RpcError({
    code: reasonCodes[error.reason],
    message: error.message,
    reason: error.reason,
    domain: ERROR_DOMAIN,
    metadata: error.metadata,
    violations: error.violations,
    cause: error,
  });
}
