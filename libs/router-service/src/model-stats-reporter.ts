import type { ModelStatsDelta, RegistryService } from "@modelrouter/contracts";
import { codeName, isRetryable, toRpcError, type ServiceClient } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import type { ModelStatsCollector } from "./model-stats-collector.js";

/** Calls `tick` every `everyMs` until the returned function is called. */
export type IntervalTimer = (everyMs: number, tick: () => void) => () => void;

/** The real {@link IntervalTimer}: `setInterval`, not keeping the process alive. */
export const realIntervalTimer: IntervalTimer = (everyMs, tick) => {
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return () => clearInterval(timer);
};

/** Options of {@link createModelStatsReporter}. */
export interface ModelStatsReporterOptions {
  readonly collector: ModelStatsCollector;
  readonly registry: ServiceClient<typeof RegistryService>;
  readonly logger: Logger;
  /** Who reports (the registry logs it): the host name or a replica id. */
  readonly reporter: string;
  /** How often the counters are swapped out and sent, in ms. */
  readonly intervalMs: number;
  /** The deadline of one RecordModelStats call, in ms. */
  readonly timeoutMs: number;
  /** Default: {@link realIntervalTimer}. */
  readonly timer?: IntervalTimer;
  /** For rate-limiting warnings, epoch ms. Default: `Date.now`. */
  readonly wallClock?: () => number;
}

/** Counters of a {@link ModelStatsReporter}. */
export interface ModelStatsReporterStats {
  /** RecordModelStats calls that succeeded, and the deltas they carried. */
  readonly reports: number;
  readonly deltasSent: number;
  /** RecordModelStats calls that failed. */
  readonly failures: number;
  /** Deltas given up after their second failed try (or a failure that a retry cannot mend). */
  readonly deltasDropped: number;
  /** Attempts never counted because the collector had its most keys. */
  readonly attemptsDropped: number;
}

/** Sends a {@link ModelStatsCollector}'s counters to the registry every interval, off the request path. */
export interface ModelStatsReporter {
  readonly collector: ModelStatsCollector;
  /** Sends now what was counted since the last report (after a report in flight ends). Never rejects. */
  flush(): Promise<void>;
  /** Settles once no report is in flight. Never rejects. */
  idle(): Promise<void>;
  stats(): ModelStatsReporterStats;
  /** Stops the timer and sends what is left. Never rejects. */
  close(): Promise<void>;
}

const WARN_EVERY_MS = 60_000;

/**
 * Creates a {@link ModelStatsReporter} and starts its timer. Each tick swaps the collector's counters out and sends
 * them in one RecordModelStats call with a deadline; a tick while a report is in flight sends nothing (the counts
 * wait for the next). A report that fails with a retryable code (UNAVAILABLE, DEADLINE_EXCEEDED,
 * RESOURCE_EXHAUSTED) is sent again once, with the next interval's deltas in the same call (so a call carries at
 * most two intervals); after its second failure, or any other failure, it is dropped and counted. Failures are
 * logged at most once a minute; attempts over the collector's bound once. Nothing here touches a request.
 */
export function createModelStatsReporter(options: ModelStatsReporterOptions): ModelStatsReporter {
  const { collector, registry, logger } = options;
  const wallClock = options.wallClock ?? Date.now;
  let carried: ModelStatsDelta[] = [];
  let sending: Promise<void> | undefined;
  let closing = false;
  let closed: Promise<void> | undefined;
  let lastWarning = Number.NEGATIVE_INFINITY;
  let warnedOverflow = false;
  const counts = { reports: 0, deltasSent: 0, failures: 0, deltasDropped: 0, attemptsDropped: 0 };

  const noteOverflow = (dropped: number) => {
    if (dropped === 0) return;
    counts.attemptsDropped += dropped;
    if (warnedOverflow) return;
    warnedOverflow = true;
    logger.warn("live statistics: too many (model, version, instance) keys in one interval; attempts of more are not counted", {
      keys: collector.keys(),
      dropped,
    });
  };

  const report = async (): Promise<void> => {
    const { deltas, dropped } = collector.drain();
    noteOverflow(dropped);
    const retried = carried;
    carried = [];
    if (retried.length === 0 && deltas.length === 0) return;
    try {
      await registry.recordModelStats({ reporter: options.reporter, deltas: [...retried, ...deltas] }, { timeoutMs: options.timeoutMs });
      counts.reports += 1;
      counts.deltasSent += retried.length + deltas.length;
    } catch (error) {
      const rpcError = toRpcError(error);
      const retry = isRetryable(rpcError.code) && !closing;
      counts.failures += 1;
      counts.deltasDropped += retried.length + (retry ? 0 : deltas.length);
      if (retry) carried = deltas;
      const now = wallClock();
      if (now - lastWarning >= WARN_EVERY_MS) {
        lastWarning = now;
        logger.warn("live statistics: could not report to the registry", {
          code: codeName(rpcError.code),
          error: rpcError.message,
          retriedWithNext: retry ? deltas.length : 0,
          deltasDroppedSoFar: counts.deltasDropped,
        });
      }
    }
  };

  const start = (): Promise<void> => {
    const current = report().finally(() => {
      sending = undefined;
    });
    sending = current;
    return current;
  };

  const idle = async (): Promise<void> => {
    while (sending !== undefined) await sending;
  };

  const flush = async (): Promise<void> => {
    await idle();
    await start();
  };

  const stop = (options.timer ?? realIntervalTimer)(options.intervalMs, () => {
    if (sending === undefined && !closing) void start();
  });

  return {
    collector,
    flush,
    idle,
    stats: () => ({ ...counts }),
    close() {
      closed ??= (async () => {
        closing = true;
        stop();
        await flush();
      })();
      return closed;
    },
  };
}
