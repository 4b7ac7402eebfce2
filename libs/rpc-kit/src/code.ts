/** gRPC status codes (the same numbers as `google.rpc.Code`). */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** A gRPC status code. */
export type Code = (typeof Code)[keyof typeof Code];

const names = new Map<number, string>(Object.entries(Code).map(([name, value]) => [value, name]));

/** The canonical name of a code, for example `NOT_FOUND`; `CODE_<n>` for numbers outside the set. */
export function codeName(code: number): string {
  return names.get(code) ?? `CODE_${code}`;
}

/** True for a number that is one of the 17 gRPC codes. */
export function isCode(value: number): value is Code {
  return names.has(value);
}

/**
 * The codes after which another model may serve the same request: the model was unreachable or overloaded,
 * or ran out of time. Every other failure is final (retrying a bad request only repeats it).
 */
export function isRetryable(code: number): boolean {
  return code === Code.UNAVAILABLE || code === Code.DEADLINE_EXCEEDED || code === Code.RESOURCE_EXHAUSTED;
}
