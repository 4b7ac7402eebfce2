import { ErrorReason, ERROR_DOMAIN } from "@modelrouter/errors";
import { Code } from "./code.js";
import { RpcError } from "./rpc-error.js";

/** The longest deadline a server honours when none is configured: one hour. */
export const DEFAULT_MAX_DEADLINE_MS = 60 * 60 * 1000;

/**
 * Set by a server's header check on a call whose timeout header was malformed (the header itself is removed):
 * the call is refused with INVALID_ARGUMENT naming the header. A client's own value of it is removed first.
 */
export const TIMEOUT_REJECTED_HEADER = "x-modelrouter-rejected-timeout";

const UNIT_MS = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 } as const;
const GRPC_TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const CONNECT_TIMEOUT = /^\d{1,10}$/;

/** The milliseconds of a `grpc-timeout` value (1 to 8 digits and a unit H, M, S, m, u or n), or undefined. */
export function parseGrpcTimeout(text: string): number | undefined {
  const match = GRPC_TIMEOUT.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** A `grpc-timeout` value for `ms` milliseconds (rounded up), in the finest unit that fits 8 digits. */
export function formatGrpcTimeout(ms: number): string {
  for (const [unit, size] of [["m", 1], ["S", 1000], ["M", 60_000], ["H", 3_600_000]] as const) {
    const value = Math.ceil(ms / size);
    if (value <= 99_999_999) return `${value}${unit}`;
  }
  return "99999999H";
}

type HeaderMap = Record<string, string | string[] | undefined>;

/**
 * Makes the call's timeout header safe before the transport reads it, in place: a timeout longer than
 * `maxDeadlineMs` is lowered to it (grpc-js and Node timers overflow past 2³¹ ms and would fail the call at
 * once), and a malformed one is removed and recorded under {@link TIMEOUT_REJECTED_HEADER}.
 */
export function normalizeTimeoutHeader(headers: HeaderMap, name: "grpc-timeout" | "connect-timeout-ms", maxDeadlineMs: number): void {
  delete headers[TIMEOUT_REJECTED_HEADER];
  const raw = headers[name];
  if (raw === undefined) return;
  const text = Array.isArray(raw) ? (raw.length === 1 ? raw[0]! : "") : raw;
  const ms = name === "grpc-timeout" ? parseGrpcTimeout(text) : CONNECT_TIMEOUT.test(text) ? Number(text) : undefined;
  if (ms === undefined) {
    delete headers[name];
    headers[TIMEOUT_REJECTED_HEADER] = `${name}: ${JSON.stringify(text.slice(0, 40))}`;
    return;
  }
  if (ms > maxDeadlineMs) headers[name] = name === "grpc-timeout" ? formatGrpcTimeout(maxDeadlineMs) : String(maxDeadlineMs);
}

/** The INVALID_ARGUMENT of a call whose timeout header was malformed, or undefined when it was not. */
export function timeoutRejection(marker: string | undefined): RpcError | undefined {
  if (marker === undefined) return undefined;
  const at = marker.indexOf(":");
  const field = at < 0 ? "grpc-timeout" : marker.slice(0, at);
  const description =
    field === "grpc-timeout"
      ? `${marker.slice(at + 2)} is not a gRPC timeout: 1 to 8 digits and a unit H, M, S, m, u or n, for example 500m or 10S`
      : `${marker.slice(at + 2)} is not a timeout: a whole number of milliseconds, at most 10 digits`;
  return new RpcError({
    code: Code.INVALID_ARGUMENT,
    message: `the call's timeout header is malformed: ${field}: ${description}`,
    reason: ErrorReason.INVALID_FIELD,
    domain: ERROR_DOMAIN,
    metadata: { fields: field },
    violations: [{ field, description }],
  });
}
