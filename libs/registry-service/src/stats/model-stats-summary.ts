import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { InstanceStatsSchema, ModelStatsSchema, type InstanceStats, type ModelStats } from "@modelrouter/contracts";
import { latencyQuantile } from "@modelrouter/policy";
import { codeName } from "@modelrouter/rpc-kit";
import type { FeedbackSummary } from "../store/model-stats-store.js";
import type { ShadowSummary } from "../store/model-stats-shadows.js";
import { addRow, emptyRow, type StatsRow } from "./stats-row.js";

/** What {@link summariseModelStats} reports on. */
export interface StatsWindow {
  readonly windowMs: number;
  /** The window's end. */
  readonly now: Date;
}

/**
 * The ListModelStats figures of every model version that has attempts (`rows`, one per executor instance,
 * already summed over the window) or feedback in the window: totals over its instances, each instance's own,
 * percentiles from the summed histograms, accuracy and mean reward from the feedback, and (for versions that
 * served as shadows) how often their answers agreed with the primary's (`shadows`). Ordered by model name,
 * then version; instances by address.
 */
export function summariseModelStats(
  rows: readonly StatsRow[],
  feedback: readonly FeedbackSummary[],
  window: StatsWindow,
  shadows: readonly ShadowSummary[] = [],
): ModelStats[] {
  const versions = new Map<string, { total: StatsRow; instances: StatsRow[]; feedback?: FeedbackSummary; shadow?: ShadowSummary }>();
  const entryOf = (model: string, version: string) => {
    const key = JSON.stringify([model, version]);
    let entry = versions.get(key);
    if (entry === undefined) versions.set(key, (entry = { total: emptyRow(model, version, "", 0), instances: [] }));
    return entry;
  };
  for (const row of rows) {
    const entry = entryOf(row.model, row.version);
    addRow(entry.total, row);
    entry.instances.push(row);
  }
  for (const f of feedback) entryOf(f.model, f.version).feedback = f;
  for (const shadow of shadows) entryOf(shadow.model, shadow.version).shadow = shadow;

  return [...versions.values()]
    .sort((a, b) => compare(a.total.model, b.total.model) || compare(a.total.version, b.total.version))
    .map(({ total, instances, feedback: f, shadow }) => {
      const errors = errorCount(total);
      return create(ModelStatsSchema, {
        model: { name: total.model, version: total.version },
        window: durationFromMs(window.windowMs),
        time: timestampFromDate(window.now),
        requests: BigInt(total.requests),
        errors: BigInt(errors),
        errorRate: ratio(errors, total.requests),
        errorsByCode: errorsByName(total),
        p50LatencyMs: latencyQuantile(total.buckets, 0.5),
        p95LatencyMs: latencyQuantile(total.buckets, 0.95),
        p99LatencyMs: latencyQuantile(total.buckets, 0.99),
        meanLatencyMs: ratio(total.latencySumMs, total.requests),
        labelled: BigInt(f?.labelled ?? 0),
        correct: BigInt(f?.correct ?? 0),
        accuracy: ratio(f?.correct ?? 0, f?.labelled ?? 0),
        rewarded: BigInt(f?.rewarded ?? 0),
        meanReward: f?.meanReward ?? 0,
        instances: instances.sort((a, b) => compare(a.instance, b.instance)).map(instanceStats),
        shadowed: BigInt(shadow?.shadowed ?? 0),
        shadowAgreed: BigInt(shadow?.agreed ?? 0),
        shadowAgreement: ratio(shadow?.agreed ?? 0, shadow?.shadowed ?? 0),
      });
    });
}

function instanceStats(row: StatsRow): InstanceStats {
  const errors = errorCount(row);
  return create(InstanceStatsSchema, {
    instance: row.instance,
    requests: BigInt(row.requests),
    errors: BigInt(errors),
    errorRate: ratio(errors, row.requests),
    p50LatencyMs: latencyQuantile(row.buckets, 0.5),
    p95LatencyMs: latencyQuantile(row.buckets, 0.95),
    p99LatencyMs: latencyQuantile(row.buckets, 0.99),
  });
}

function errorCount(row: StatsRow): number {
  return row.errors.reduce((a, b) => a + b, 0);
}

function errorsByName(row: StatsRow): Record<string, bigint> {
  const named: Record<string, bigint> = {};
  row.errors.forEach((count, i) => {
    if (count > 0) named[codeName(i + 1)] = BigInt(count);
  });
  return named;
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
