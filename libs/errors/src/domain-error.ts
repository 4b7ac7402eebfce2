import type { ErrorReason } from "./reasons.js";

/** One invalid field of a request, named by its path in the request (for example `payload.image.data`). */
export interface FieldViolation {
  readonly field: string;
  /** What is wrong and how to fix it, for people. */
  readonly description: string;
}

/** Options of a {@link DomainError}. */
export interface DomainErrorOptions {
  /** The dynamic values of the message, lowerCamelCase keys (AIP-193). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** For INVALID_FIELD: every field that is wrong. */
  readonly violations?: readonly FieldViolation[];
  /** The underlying error, kept for logs and never sent to clients. */
  readonly cause?: unknown;
}

/**
 * An expected failure of a domain operation: a stable reason, a message for people, and the details a client
 * needs to fix the request. Services throw these; the RPC kit turns them into gRPC statuses with one
 * `google.rpc.ErrorInfo` (and a `BadRequest` for violations).
 */
export class DomainError extends Error {
  override readonly name = "DomainError";
  readonly reason: ErrorReason;
  readonly metadata: Readonly<Record<string, string>>;
  readonly violations: readonly FieldViolation[];

  constructor(reason: ErrorReason, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.metadata = options.metadata ?? {};
    this.violations = options.violations ?? [];
  }
}

/** True for a {@link DomainError}, also one from another copy of this package. */
export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError || (value instanceof Error && value.name === "DomainError" && "reason" in value);
}
