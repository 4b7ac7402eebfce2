import type { ListModelStatsResponse, Model, ModelStats } from "@modelrouter/contracts";
import {
  type CandidateStats,
  type CandidateStatsProvider,
  type LiveStats,
  NO_LIVE_STATS,
  declaredStats,
  snapshotStats,
} from "@modelrouter/policy";

/**
 * The live statistics of every model version from one `ListModelStats` answer: immutable, replaced whole by
 * the next good poll.
 */
export interface LiveStatsSnapshot {
  /** When the answer arrived, in the decision engine's epoch milliseconds (its age is measured from here). */
  readonly receivedAt: number;
  /** The window the figures cover, in milliseconds. */
  readonly windowMs: number;
  /** Each version's figures, by "name@version". */
  readonly byVersion: ReadonlyMap<string, LiveStats>;
  /**
   * The statistics provider over these figures: each model's declared metrics with its live figures (every
   * figure 0 for a version the window holds nothing of). One provider per snapshot, marked as such
   * (`snapshotStats`), so the evaluator caches constraint outcomes and rankings per snapshot.
   */
  readonly provider: CandidateStatsProvider;
}

function versionKey(name: string, version: string): string {
  return `${name}@${version}`;
}

function count(value: bigint): number {
  return Number(value);
}

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

/** One `ModelStats` message as the policy language's live figures. */
export function liveStatsOf(stats: ModelStats): LiveStats {
  return Object.freeze({
    requests: count(stats.requests),
    errorRate: finite(stats.errorRate),
    p50LatencyMs: finite(stats.p50LatencyMs),
    p95LatencyMs: finite(stats.p95LatencyMs),
    p99LatencyMs: finite(stats.p99LatencyMs),
    accuracy: finite(stats.accuracy),
    labelled: count(stats.labelled),
    meanReward: finite(stats.meanReward),
    rewarded: count(stats.rewarded),
  });
}

/** A snapshot of the figures in `response`, received at `receivedAt`, over a window of `windowMs`. */
export function liveStatsSnapshot(response: ListModelStatsResponse, receivedAt: number, windowMs: number): LiveStatsSnapshot {
  const byVersion = new Map<string, LiveStats>();
  for (const stats of response.stats) {
    if (stats.model === undefined) continue;
    byVersion.set(versionKey(stats.model.name, stats.model.version), liveStatsOf(stats));
  }
  const figures = new WeakMap<Model, CandidateStats>();
  const provider: CandidateStatsProvider = snapshotStats((model) => {
    let entry = figures.get(model);
    if (entry === undefined) {
      entry = Object.freeze({ ...declaredStats(model), live: byVersion.get(versionKey(model.name, model.version)) ?? NO_LIVE_STATS });
      figures.set(model, entry);
    }
    return entry;
  });
  return Object.freeze({ receivedAt, windowMs, byVersion, provider });
}
