import type { FieldViolation } from "@modelrouter/errors";
import { type Code, codeName } from "./code.js";

/** What a caller learns about a failed call, whether it crossed the network or not. */
export interface RpcErrorInit {
  readonly code: Code;
  readonly message: string;
  /** The `google.rpc.ErrorInfo` reason, when the server sent one. */
  readonly reason?: string | undefined;
  /** The `google.rpc.ErrorInfo` domain. */
  readonly domain?: string | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  /** The `google.rpc.BadRequest` field violations. */
  readonly violations?: readonly FieldViolation[] | undefined;
  readonly cause?: unknown;
}

/**
 * A failed RPC: a gRPC status code, a message, and the structured details (`ErrorInfo`, `BadRequest`).
 * Clients of both topologies throw it; branch on `code` and `reason`, never on the message.
 */
export class RpcError extends Error {
  override readonly name = "RpcError";
  readonly code: Code;
  readonly reason: string | undefined;
  readonly domain: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly violations: readonly FieldViolation[];

  constructor(init: RpcErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.reason = init.reason;
    this.domain = init.domain;
    this.metadata = init.metadata ?? {};
    this.violations = init.violations ?? [];
  }

  /** `CODE_NAME: message`, the form grpcurl prints. */
  override toString(): string {
    return `${codeName(this.code)}: ${this.message}`;
  }
}

/** True for an {@link RpcError}, also one from another copy of this package. */
export function isRpcError(value: unknown): value is RpcError {
  return value instanceof RpcError || (value instanceof Error && value.name === "RpcError" && "code" in value);
}
