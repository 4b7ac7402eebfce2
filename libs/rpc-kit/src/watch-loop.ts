import { setTimeout as sleep } from "node:timers/promises";
import { Code } from "./code.js";
import { isRpcError } from "./rpc-error.js";

/** Where {@link runWatchLoop} logs: any structured logger (the telemetry library's `Logger` is one). */
export interface WatchLoopLogger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/**
 * The part of a watch message the loop needs: whether it starts a snapshot, whether it completes one, and
 * the revision it brings the watcher up to.
 */
export interface WatchMessage {
  readonly reset: boolean;
  readonly snapshotComplete: boolean;
  readonly revision: bigint;
}

/** Options of {@link runWatchLoop}. */
export interface WatchLoopOptions<M extends WatchMessage> {
  /** The stream's name in logs, for example "models". */
  readonly name: string;
  /** Opens the stream from `sinceRevision` (0: from a full snapshot); it ends when `signal` aborts. */
  readonly open: (sinceRevision: bigint, signal: AbortSignal) => AsyncIterable<M>;
  /** Applies one message to the state. It should not throw; if it does, the stream is reopened. */
  readonly apply: (message: M) => void;
  readonly logger: WatchLoopLogger;
  /** Stops the loop. */
  readonly signal: AbortSignal;
  /** The deadline the stream is opened with, in milliseconds; one that ends after half of it is healthy. */
  readonly streamTimeoutMs: number;
  /** The first reconnection delay after a failure, in milliseconds; it doubles up to `maxRetryDelayMs`. */
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Follows a watch stream until `signal` aborts: applies every message, and when the stream fails or ends,
 * reopens it from the last revision applied, so that no change is missed or applied twice. A snapshot cut
 * short (the stream ended between its `reset` and `snapshot_complete` messages) is started over: the stream
 * is reopened from revision 0, since resuming after a part of a snapshot would never complete it. Failures
 * back off exponentially (bounded); a stream that ends normally or at its deadline after delivering
 * messages, or after being open for half its deadline (up to 1 s), is reopened at once. A message larger
 * than this process accepts (RESOURCE_EXHAUSTED) is logged at error level, since retrying cannot help until
 * the registry sends smaller messages. Resolves when stopped; never rejects.
 */
export async function runWatchLoop<M extends WatchMessage>(options: WatchLoopOptions<M>): Promise<void> {
  const { logger, signal } = options;
  const healthyAfterMs = Math.min(1000, options.streamTimeoutMs / 2);
  let since = 0n;
  let failures = 0;
  while (!signal.aborted) {
    const openedAt = Date.now();
    let received = 0;
    let failure: unknown;
    // One controller per stream, so that nothing a call attaches to the signal outlives the call.
    const stream = new AbortController();
    const stop = (): void => stream.abort();
    signal.addEventListener("abort", stop, { once: true });
    let inSnapshot = false;
    try {
      for await (const message of options.open(since, stream.signal)) {
        options.apply(message);
        inSnapshot = (inSnapshot || message.reset) && !message.snapshotComplete;
        if (!inSnapshot) since = message.revision;
        received++;
        failures = 0;
      }
    } catch (error) {
      failure = error;
    } finally {
      signal.removeEventListener("abort", stop);
      stream.abort();
    }
    if (signal.aborted) break;
    if (inSnapshot) {
      logger.warn("watch stream ended inside a snapshot; starting it over", { stream: options.name });
      since = 0n;
    }
    if (isRpcError(failure) && failure.code === Code.RESOURCE_EXHAUSTED) {
      logger.error("a watch message is larger than this process accepts; the registry must send smaller ones", {
        stream: options.name,
        sinceRevision: since,
        error: describe(failure),
        fix: "upgrade the registry: a current one never sends a watch message larger than 1 MiB",
      });
    }
    const ended = failure === undefined || (isRpcError(failure) && failure.code === Code.DEADLINE_EXCEEDED);
    if (ended && (received > 0 || Date.now() - openedAt >= healthyAfterMs)) {
      logger.debug("watch stream ended; resuming", { stream: options.name, sinceRevision: since });
      continue;
    }
    failures++;
    const delayMs = Math.min(options.maxRetryDelayMs, options.retryDelayMs * 2 ** Math.min(failures - 1, 30));
    logger.warn("watch stream failed; reconnecting", {
      stream: options.name,
      sinceRevision: since,
      retryInMs: delayMs,
      failures,
      error: failure === undefined ? "the stream ended without a message" : describe(failure),
    });
    try {
      await sleep(delayMs, undefined, { signal });
    } catch {
      break;
    }
  }
}
