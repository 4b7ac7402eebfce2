import { ErrorReason, isDomainError } from "@modelrouter/errors";

/** An HTTP error answer: its status, `{"error": message}`, and a Retry-After in seconds when known. */
export interface RestError {
  readonly status: number;
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

const STATUS_OF_REASON: Readonly<Partial<Record<string, number>>> = {
  [ErrorReason.INVALID_FIELD]: 400,
  [ErrorReason.PAYLOAD_UNSUPPORTED]: 400,
  [ErrorReason.MODEL_NOT_FOUND]: 404,
  [ErrorReason.MODEL_UNAVAILABLE]: 503,
  [ErrorReason.SERVICE_NOT_READY]: 503,
  [ErrorReason.OVERLOADED]: 503,
  [ErrorReason.DEADLINE_EXCEEDED]: 504,
  [ErrorReason.CANCELLED]: 499,
};

/**
 * The HTTP answer to an error: 400 for a bad request (the message names the field), 404 for a model not
 * served, 503 for an unavailable model, a server not ready or load shedding (with Retry-After), 504 for a
 * passed deadline; anything else is 500 with a safe message (the caller logs the cause).
 */
export function restErrorOf(error: unknown): RestError {
  if (!isDomainError(error)) return { status: 500, message: "internal error in the executor; it logged the cause" };
  const status = STATUS_OF_REASON[error.reason] ?? 500;
  if (status === 500) return { status, message: "internal error in the executor; it logged the cause" };
  const retryAfterMs = Number(error.metadata["retryAfterMs"]);
  return Number.isFinite(retryAfterMs) && retryAfterMs > 0
    ? { status, message: error.message, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) }
    : { status, message: error.message };
}
