import type { Violation } from "./status-details.js";

/** The status of one call (or of one call carried by a tunnel). */
export interface CallStatus {
  readonly code: number;
  readonly message: string;
  /** From a `google.rpc.BadRequest` detail; undefined when the status carries none. */
  readonly violations: readonly Violation[] | undefined;
}

/** What a hostile case was and what came back. */
export interface CallOutcome {
  /** `<seed>:<n>`, enough to replay it. */
  readonly caseId: string;
  readonly target: string;
  readonly path: string;
  readonly family: string;
  readonly note: string;
  readonly httpStatus: number | undefined;
  /** The call's own status; undefined when none came (see `reset`, `hung`). */
  readonly status: CallStatus | undefined;
  /** Statuses of the calls a tunnel stream carried. */
  readonly innerStatuses: readonly CallStatus[];
  /** Set when the stream or connection was reset by the server (RST_STREAM code, socket error) instead of answered. */
  readonly reset: string | undefined;
  /** The server sent GOAWAY on the connection while this case was in flight. */
  readonly goaway: boolean;
  /** No answer within the guard time. */
  readonly hung: boolean;
  /** Set when the client library would not send the case at all (e.g. a header it cannot encode): why. */
  readonly unsent: string | undefined;
  /** From sending to the end of the answer (for finding slow cases, never asserted). */
  readonly elapsedMs: number;
}
