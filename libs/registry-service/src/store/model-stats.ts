import type { ModelStats } from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import type { Logger } from "@modelrouter/telemetry";
import type { SqlExecutor } from "../storage/sql-database.js";
import { summariseModelStats } from "../stats/model-stats-summary.js";
import { mergeRows, minuteOf, type StatsRow } from "../stats/stats-row.js";
import { sumShadows } from "./model-stats-shadows.js";
import { addModelStats, countModelStats, deleteModelStatsBefore, sumFeedback, sumModelStats } from "./model-stats-store.js";
import { startRetentionSweep } from "./retention-sweep.js";

/** How long live statistics are kept by default: 24 hours, in ms (the longest ListModelStats window). */
export const DEFAULT_STATS_RETENTION_MS = 24 * 60 * 60 * 1000;
/** How many stored minutes (one per model version, instance and minute) the registry holds by default. */
export const DEFAULT_MAX_STATS_ROWS = 1_000_000;
/** The environment variable that sets {@link ModelStatsOptions.maxRows}. */
export const MAX_STATS_ROWS_SETTING = "MODELROUTER_REGISTRY_MAX_STATS_ROWS";

/** Options of {@link openModelStats}. */
export interface ModelStatsOptions {
  readonly db: SqlExecutor;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Minutes older than this (ms before `now()`) are pruned. */
  readonly retentionMs: number;
  /** How many stored minutes the table may hold; RecordModelStats is refused beyond. */
  readonly maxRows: number;
  /** The period of the background prune, in ms. */
  readonly pruneIntervalMs: number;
  /** Rows deleted per prune statement. */
  readonly pruneBatchSize: number;
}

/** The live statistics: deltas added into per-minute rows, read back summed over a window. */
export interface ModelStatsStore {
  /** The retention, which a delta's start time may not be older than. */
  readonly retentionMs: number;
  /**
   * Adds validated rows into the stored minutes (rows of the same key first added up).
   *
   * @throws DomainError QUOTA_EXCEEDED when the table holds `maxRows` or more.
   */
  record(rows: readonly StatsRow[]): Promise<void>;
  /** Every model version's figures over the minutes from the one `windowMs` before now began in, to now. */
  list(windowMs: number, model: string | undefined): Promise<ModelStats[]>;
  /** Deletes the minutes older than the retention now; returns how many. */
  prune(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Opens the live statistics on the store's database: counts the stored rows (the quota is checked against
 * that count, plus the rows this process created since, recounted after every prune: other replicas'
 * rows are seen at the next prune) and starts pruning.
 */
export async function openModelStats(options: ModelStatsOptions): Promise<ModelStatsStore> {
  const { db, now, retentionMs, maxRows } = options;
  let stored = await countModelStats(db);
  const retention = startRetentionSweep({
    what: "the model statistics",
    logger: options.logger,
    now,
    retentionMs,
    intervalMs: options.pruneIntervalMs,
    batchSize: options.pruneBatchSize,
    deleteBefore: (cutoff, limit) => deleteModelStatsBefore(db, cutoff, limit),
    afterSweep: async () => {
      stored = await countModelStats(db);
    },
  });
  return {
    retentionMs,
    async record(rows) {
      if (rows.length === 0) return;
      if (stored >= maxRows) throw quotaExceeded(stored, maxRows, retentionMs);
      stored += await addModelStats(db, mergeRows(rows));
    },
    async list(windowMs, model) {
      const at = now();
      const since = new Date(minuteOf(at.getTime() - windowMs));
      const [rows, feedback] = [await sumModelStats(db, since, model), await sumFeedback(db, since, model)];
      const shadows = await sumShadows(db, since, model);
      return summariseModelStats(rows, feedback, { windowMs, now: at }, shadows);
    },
    prune: () => retention.sweep(),
    stop: () => retention.stop(),
  };
}

function quotaExceeded(count: number, limit: number, retentionMs: number): DomainError {
  return new DomainError(
    ErrorReason.QUOTA_EXCEEDED,
    `the registry holds ${count} minutes of model statistics, its limit of ${limit} (${MAX_STATS_ROWS_SETTING}): ` +
      `shorten MODELROUTER_STATS_RETENTION (now ${Math.round(retentionMs / 60_000)} minutes) or raise ${MAX_STATS_ROWS_SETTING}; ` +
      `pruning frees room every minute`,
    { metadata: { limit: String(limit), count: String(count), setting: MAX_STATS_ROWS_SETTING } },
  );
}
