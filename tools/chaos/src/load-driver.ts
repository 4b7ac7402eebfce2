import { Code, codeName, isRpcError } from "@modelrouter/rpc-kit";

/** One request of a load: when it was sent, how it ended and how long it took. */
export interface RequestRecord {
  /** Milliseconds from the start of the load to the request's intended send time. */
  readonly sentAtMs: number;
  /** Milliseconds from the start of the load to its final status. */
  readonly endedAtMs: number;
  /** From the intended send time to the end (an open model's latency: a late send counts against it). */
  readonly latencyMs: number;
  /** From the moment the call was made to the end: what the call itself took. */
  readonly callMs: number;
  /** Its final gRPC status code name (`OK`, `UNAVAILABLE`, …), or `NOT_SENT` when the in-flight bound refused it. */
  readonly status: string;
  readonly message?: string;
  /** What the caller read from a successful answer (e.g. the model that served it). */
  readonly detail?: string;
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Requests per second, sent at fixed intended times whatever the answers (the open model). */
  readonly ratePerSecond: number;
  readonly durationMs: number;
  /**
   * At most this many requests in flight: a request due while this many are in flight is not sent and is
   * recorded as `NOT_SENT` (the bound keeps a stalled system from piling up unbounded calls).
   */
  readonly maxInFlight: number;
  /** Makes one call; resolves with what to record of the answer, rejects with the call's error. */
  readonly call: (index: number) => Promise<string | undefined>;
}

/** A load in progress: its clock, and its records once every request has ended. */
export interface RunningLoad {
  /** Milliseconds since the load started. */
  elapsedMs(): number;
  /** Sends no more requests (those in flight still end and are recorded). */
  stop(): void;
  readonly done: Promise<readonly RequestRecord[]>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Starts an open-model load: request `i` is due `i / rate` seconds after the start, sent then whether or not
 * the earlier ones were answered, and recorded with its final status. Resolves `done` once every request sent
 * has ended (each call carries its own deadline, so this is bounded).
 */
export function startLoad(options: LoadOptions): RunningLoad {
  const start = performance.now();
  const elapsedMs = () => performance.now() - start;
  const total = Math.floor((options.durationMs / 1000) * options.ratePerSecond);
  const intervalMs = 1000 / options.ratePerSecond;
  let stopped = false;
  const run = async (): Promise<readonly RequestRecord[]> => {
    const records: RequestRecord[] = [];
    const pending: Promise<void>[] = [];
    let inFlight = 0;
    for (let i = 0; i < total; i++) {
      const dueMs = i * intervalMs;
      await sleep(dueMs - elapsedMs());
      if (stopped) break;
      if (inFlight >= options.maxInFlight) {
        const now = elapsedMs();
        records.push({ sentAtMs: dueMs, endedAtMs: now, latencyMs: 0, callMs: 0, status: "NOT_SENT" });
        continue;
      }
      inFlight += 1;
      const calledAt = elapsedMs();
      const timing = () => {
        const end = elapsedMs();
        return { sentAtMs: dueMs, endedAtMs: end, latencyMs: end - dueMs, callMs: end - calledAt };
      };
      pending.push(
        options.call(i).then(
          (detail) => records.push({ ...timing(), status: "OK", ...(detail === undefined ? {} : { detail }) }),
          (error: unknown) => records.push({ ...timing(), ...failure(error) }),
        ).then(() => {
          inFlight -= 1;
        }),
      );
    }
    await Promise.all(pending);
    return records.sort((a, b) => a.sentAtMs - b.sentAtMs);
  };
  return {
    elapsedMs,
    stop: () => {
      stopped = true;
    },
    done: run(),
  };
}

function failure(error: unknown): { status: string; message: string } {
  if (isRpcError(error)) return { status: codeName(error.code), message: error.message };
  return { status: codeName(Code.UNKNOWN), message: error instanceof Error ? error.message : String(error) };
}
