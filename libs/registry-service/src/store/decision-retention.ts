import type { Logger } from "@modelrouter/telemetry";
import type { SqlExecutor } from "../storage/sql-database.js";
import { deleteDecisionsBefore } from "./decision-store.js";
import { startRetentionSweep, type RetentionSweep } from "./retention-sweep.js";

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
export type DecisionRetention = RetentionSweep;

/** Starts pruning the decision log (see {@link startRetentionSweep}). */
export function startDecisionRetention(options: DecisionRetentionOptions): DecisionRetention {
  const { db, ...rest } = options;
  return startRetentionSweep({
    ...rest,
    what: "the decision log",
    deleteBefore: (cutoff, limit) => deleteDecisionsBefore(db, cutoff, limit),
  });
}
