import type { SqlExecutor } from "../storage/sql-database.js";
import { LATENCY_BUCKET_COUNT } from "@modelrouter/policy";
import { ERROR_CODE_COUNT, emptyRow, type StatsRow } from "../stats/stats-row.js";

/** The SQL types of one row's parameters, in the order of the INSERT below. */
const COLUMN_TYPES = ["timestamptz", "text", "text", "text", "bigint", "bigint[]", "bigint[]", "float8"] as const;

/** Element-wise sum of a stored array column and the incoming one (the shorter read as padded with zeros). */
const addArrays = (column: string): string =>
  `ARRAY(SELECT COALESCE(a, 0) + COALESCE(b, 0)
    FROM unnest(registry_model_stats.${column}, EXCLUDED.${column}) WITH ORDINALITY AS t(a, b, i) ORDER BY i)`;

/**
 * Adds rows (each key once: merge them first) into the stored minutes in one statement, an upsert that adds
 * counters and bucket arrays, so that concurrent routers and registry replicas add up rather than overwrite.
 * Like decision records, it commits without waiting for its WAL flush. Returns how many rows it created.
 */
export async function addModelStats(db: SqlExecutor, rows: readonly StatsRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const params: unknown[] = [];
  const values: string[] = [];
  for (const row of rows) {
    const at = params.length;
    values.push(`(${COLUMN_TYPES.map((type, i) => `$${at + i + 1}::${type}`).join(", ")})`);
    params.push(
      new Date(row.minuteMs),
      row.model,
      row.version,
      row.instance,
      String(row.requests),
      `{${row.errors.join(",")}}`,
      `{${row.buckets.join(",")}}`,
      row.latencySumMs,
    );
  }
  const { rows: written } = await db.query(
    `WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
      INSERT INTO registry_model_stats
          (minute, model_name, model_version, instance, requests, errors, latency_buckets, latency_sum_ms)
        SELECT v.* FROM (VALUES ${values.join(", ")})
          AS v(minute, model_name, model_version, instance, requests, errors, latency_buckets, latency_sum_ms), async_commit
      ON CONFLICT (minute, model_name, model_version, instance) DO UPDATE SET
        requests = registry_model_stats.requests + EXCLUDED.requests,
        errors = ${addArrays("errors")},
        latency_buckets = ${addArrays("latency_buckets")},
        latency_sum_ms = registry_model_stats.latency_sum_ms + EXCLUDED.latency_sum_ms
      RETURNING (xmax::text = '0') AS inserted`,
    params,
  );
  return written.filter((row) => row["inserted"] === true).length;
}

/** The sums of every element of the stored arrays, as `e1` … `e16` and `b1` … `b81` (SQL arrays count from 1). */
const ARRAY_SUMS = [
  ...Array.from({ length: ERROR_CODE_COUNT }, (_, i) => `sum(s.errors[${i + 1}]) AS e${i + 1}`),
  ...Array.from({ length: LATENCY_BUCKET_COUNT }, (_, i) => `sum(s.latency_buckets[${i + 1}]) AS b${i + 1}`),
].join(", ");

/**
 * Every stored series' figures added up over the minutes from `sinceMinute` on (of one model when given): one
 * aggregate per (model, version, instance), its `minuteMs` set to `sinceMinute`. The sums run in the database
 * (one pass, every array element its own aggregate), so what is read back is one row per series whatever the
 * window.
 */
export async function sumModelStats(db: SqlExecutor, sinceMinute: Date, model: string | undefined): Promise<StatsRow[]> {
  const { rows } = await db.query(
    `SELECT s.model_name, s.model_version, s.instance, sum(s.requests) AS requests, sum(s.latency_sum_ms) AS latency_sum_ms,
        ${ARRAY_SUMS}
      FROM registry_model_stats s
      WHERE s.minute >= $1${model === undefined ? "" : " AND s.model_name = $2"}
      GROUP BY 1, 2, 3`,
    model === undefined ? [sinceMinute] : [sinceMinute, model],
  );
  const count = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
  return rows.map((r) => {
    const row = emptyRow(String(r["model_name"]), String(r["model_version"]), String(r["instance"]), sinceMinute.getTime());
    row.requests = count(r["requests"]);
    row.latencySumMs = count(r["latency_sum_ms"]);
    row.errors.forEach((_, i) => (row.errors[i] = count(r[`e${i + 1}`])));
    row.buckets.forEach((_, i) => (row.buckets[i] = count(r[`b${i + 1}`])));
    return row;
  });
}

/** The feedback on one model version's decisions in a window. */
export interface FeedbackSummary {
  readonly model: string;
  readonly version: string;
  readonly labelled: number;
  readonly correct: number;
  readonly rewarded: number;
  /** 0 when nothing is rewarded. */
  readonly meanReward: number;
}

/**
 * The feedback on decisions made from `since` on, per model version that served them (of one model when
 * given): through the partial index of decisions with feedback, so it reads only those in the window.
 */
export async function sumFeedback(db: SqlExecutor, since: Date, model: string | undefined): Promise<FeedbackSummary[]> {
  const { rows } = await db.query(
    `SELECT model_name, model_version,
        count(*) FILTER (WHERE feedback ->> 'label' IS NOT NULL)::int AS labelled,
        count(*) FILTER (WHERE feedback ->> 'label' IS NOT NULL AND (feedback ->> 'correct')::boolean)::int AS correct,
        count(*) FILTER (WHERE feedback ->> 'reward' IS NOT NULL)::int AS rewarded,
        COALESCE(avg((feedback ->> 'reward')::float8) FILTER (WHERE feedback ->> 'reward' IS NOT NULL), 0) AS mean_reward
      FROM registry_decisions
      WHERE feedback IS NOT NULL AND time >= $1 AND model_name IS NOT NULL${model === undefined ? "" : " AND model_name = $2"}
      GROUP BY 1, 2`,
    model === undefined ? [since] : [since, model],
  );
  return rows.map((r) => ({
    model: String(r["model_name"]),
    version: String(r["model_version"]),
    labelled: Number(r["labelled"]),
    correct: Number(r["correct"]),
    rewarded: Number(r["rewarded"]),
    meanReward: Number(r["mean_reward"]),
  }));
}

/** Deletes at most `limit` stored minutes before `cutoff`, oldest first; returns how many it deleted. */
export async function deleteModelStatsBefore(db: SqlExecutor, cutoff: Date, limit: number): Promise<number> {
  const { rows } = await db.query(
    `DELETE FROM registry_model_stats WHERE ctid IN (
        SELECT ctid FROM registry_model_stats WHERE minute < $1 ORDER BY minute LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING 1 AS deleted`,
    [cutoff, limit],
  );
  return rows.length;
}

/** How many minutes of series are stored. */
export async function countModelStats(db: SqlExecutor): Promise<number> {
  const { rows } = await db.query("SELECT count(*)::int AS n FROM registry_model_stats");
  return Number(rows[0]?.["n"] ?? 0);
}
