import type { Logger } from "@modelrouter/telemetry";

/** Options of {@link startRetentionSweep}. */
export interface RetentionSweepOptions {
  /** What is pruned, for logs: "the decision log". */
  readonly what: string;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Deletes at most `limit` entries older than `cutoff`; returns how many it deleted. */
  readonly deleteBefore: (cutoff: Date, limit: number) => Promise<number>;
  /** Entries older than this (ms before `now()`) are deleted. */
  readonly retentionMs: number;
  /** The period of the background sweep, in ms. */
  readonly intervalMs: number;
  /** Entries deleted per statement: a sweep deletes batch after batch, so no transaction grows without bound. */
  readonly batchSize: number;
  /** Runs after every sweep that completed (for example to recount what is left). */
  readonly afterSweep?: () => Promise<void>;
}

/** A pruning: a background sweep every interval, and a sweep on demand. */
export interface RetentionSweep {
  /**
   * Deletes every entry older than the retention, in batches, and returns how many it deleted. A sweep
   * already running is joined rather than doubled.
   */
  sweep(): Promise<number>;
  /** Stops the background sweeps and waits for a running one (which stops after its current batch). */
  stop(): Promise<void>;
}

/**
 * Starts pruning on an unref'd interval (it never keeps the process alive). A failed sweep is logged and
 * retried at the next interval.
 */
export function startRetentionSweep(options: RetentionSweepOptions): RetentionSweep {
  const { logger, retentionMs, batchSize, what } = options;
  if (!(retentionMs > 0) || !(options.intervalMs > 0) || !Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(
      `the retention of ${what} needs a positive retention and interval and a positive whole batch size ` +
        `(got ${retentionMs} ms, ${options.intervalMs} ms, ${batchSize})`,
    );
  }
  let stopped = false;
  let running: Promise<number> | undefined;

  const run = async (): Promise<number> => {
    const cutoff = new Date(options.now().getTime() - retentionMs);
    let total = 0;
    for (;;) {
      if (stopped) return total;
      const deleted = await options.deleteBefore(cutoff, batchSize);
      total += deleted;
      if (deleted < batchSize) break;
    }
    await options.afterSweep?.();
    return total;
  };

  const sweep = (): Promise<number> => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };

  const timer = setInterval(() => {
    sweep().then(
      (deleted) => {
        if (deleted > 0) logger.debug(`pruned ${what}`, { deleted, retentionMs });
      },
      (error: unknown) => logger.warn(`could not prune ${what}; retrying at the next interval`, { error }),
    );
  }, options.intervalMs);
  timer.unref();

  return {
    sweep,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
