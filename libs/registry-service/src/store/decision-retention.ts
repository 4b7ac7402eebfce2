import type { Logger } from "@modelrouter/telemetry";
import type { SqlExecutor } from "../storage/sql-database.js";
import { deleteDecisionsBefore } from "./decision-store.js";

/** How long the decision log keeps a record by default: 7 days, in ms. */
export const DEFAULT_DECISION_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** How often the decision log is pruned by default, in ms. */
export const DEFAULT_DECISION_PRUNE_INTERVAL_MS = 60_000;
/** How many records one prune statement deletes at most by default. */
export const DEFAULT_DECISION_PRUNE_BATCH_SIZE = 1_000;

/** Options of {@link startDecisionRetention}. */
export interface DecisionRetentionOptions {
  readonly db: SqlExecutor;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Records whose `time` is older than this (ms before `now()`) are deleted. */
  readonly retentionMs: number;
  /** The period of the background sweep, in ms. */
  readonly intervalMs: number;
  /** Records deleted per statement: a sweep deletes batch after batch, so no transaction grows without bound. */
  readonly batchSize: number;
}

/** The decision log's pruning: a background sweep every interval, and a sweep on demand. */
export interface DecisionRetention {
  /**
   * Deletes every record older than the retention, in batches, and returns how many it deleted. A sweep
   * already running is joined rather than doubled.
   */
  sweep(): Promise<number>;
  /** Stops the background sweeps and waits for a running one (which stops after its current batch). */
  stop(): Promise<void>;
}

/**
 * Starts pruning the decision log on an unref'd interval (it never keeps the process alive). A failed sweep
 * is logged and retried at the next interval.
 */
export function startDecisionRetention(options: DecisionRetentionOptions): DecisionRetention {
  const { db, logger, retentionMs, batchSize } = options;
  if (!(retentionMs > 0) || !(options.intervalMs > 0) || !Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(
      `decision retention needs a positive retention and interval and a positive whole batch size ` +
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
      const deleted = await deleteDecisionsBefore(db, cutoff, batchSize);
      total += deleted;
      if (deleted < batchSize) return total;
    }
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
        if (deleted > 0) logger.debug("pruned the decision log", { deleted, retentionMs });
      },
      (error: unknown) => logger.warn("could not prune the decision log; retrying at the next interval", { error }),
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
