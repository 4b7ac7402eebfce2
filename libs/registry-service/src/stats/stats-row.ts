import { LATENCY_BUCKET_COUNT, addBuckets } from "@modelrouter/policy";

/** The length of a row's error counts: index `c - 1` counts failures with google.rpc.Code `c` (1 to 16). */
export const ERROR_CODE_COUNT = 16;

/** One minute of one model version's attempts on one executor instance, as the registry stores it. */
export interface StatsRow {
  readonly model: string;
  readonly version: string;
  /** The executor instance's address; empty for an executor in the router's process. */
  readonly instance: string;
  /** The start of the minute, in ms since the epoch (a whole minute). */
  readonly minuteMs: number;
  requests: number;
  /** Failures by code: index `c - 1` for code `c`; always {@link ERROR_CODE_COUNT} long. */
  readonly errors: number[];
  /** Attempts per latency bucket of `LATENCY_BUCKETS_MS`; always `LATENCY_BUCKET_COUNT` long. */
  readonly buckets: number[];
  latencySumMs: number;
}

const MINUTE_MS = 60_000;

/** The start of the minute that `ms` falls in. */
export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** An empty row of a series' minute. */
export function emptyRow(model: string, version: string, instance: string, minuteMs: number): StatsRow {
  return {
    model,
    version,
    instance,
    minuteMs,
    requests: 0,
    errors: new Array<number>(ERROR_CODE_COUNT).fill(0),
    buckets: new Array<number>(LATENCY_BUCKET_COUNT).fill(0),
    latencySumMs: 0,
  };
}

/** Adds `from`'s counts into `into` (same series and minute, or an aggregate of several). */
export function addRow(into: StatsRow, from: StatsRow): void {
  into.requests += from.requests;
  addBuckets(into.errors, from.errors);
  addBuckets(into.buckets, from.buckets);
  into.latencySumMs += from.latencySumMs;
}

/**
 * Adds up rows of the same (model, version, instance, minute), so that one upsert statement touches each
 * stored row once; the result keeps the order in which each key first appeared.
 */
export function mergeRows(rows: readonly StatsRow[]): StatsRow[] {
  const merged = new Map<string, StatsRow>();
  for (const row of rows) {
    const key = JSON.stringify([row.model, row.version, row.instance, row.minuteMs]);
    const into = merged.get(key);
    if (into === undefined) {
      const copy = emptyRow(row.model, row.version, row.instance, row.minuteMs);
      addRow(copy, row);
      merged.set(key, copy);
    } else addRow(into, row);
  }
  return [...merged.values()];
}
