import type { Model } from "@modelrouter/contracts";

/**
 * A model version's live figures over a recent window (the registry's `ModelStats`): attempts and their latency
 * and errors from every router's reports, accuracy and reward from feedback. Every figure is 0 when the window
 * holds none; the counts say how much each rests on.
 */
export interface LiveStats {
  /** Attempts in the window. */
  readonly requests: number;
  /** Failed attempts / attempts; 0 without attempts. */
  readonly errorRate: number;
  /** Latency percentiles of the attempts in milliseconds; 0 without attempts. */
  readonly p50LatencyMs: number;
  readonly p95LatencyMs: number;
  readonly p99LatencyMs: number;
  /** Correct / labelled decisions served by the version; 0 when none is labelled. */
  readonly accuracy: number;
  /** Decisions served by the version whose feedback carries a label. */
  readonly labelled: number;
  /** The mean reward of the decisions whose feedback carries one; 0 when none does. */
  readonly meanReward: number;
  /** Decisions served by the version whose feedback carries a reward. */
  readonly rewarded: number;
}

/** Live figures of a version the window holds nothing of: every figure 0. */
export const NO_LIVE_STATS: LiveStats = Object.freeze({
  requests: 0,
  errorRate: 0,
  p50LatencyMs: 0,
  p95LatencyMs: 0,
  p99LatencyMs: 0,
  accuracy: 0,
  labelled: 0,
  meanReward: 0,
  rewarded: 0,
});

/**
 * The figures strategies rank candidates by. A figure of 0 for latency or cost means the model declares none.
 */
export interface CandidateStats {
  /** Fraction of correct predictions, 0 to 1. */
  readonly accuracy: number;
  /** Macro-averaged F1 score, 0 to 1. */
  readonly f1: number;
  /** Median latency of one request in milliseconds; 0: unknown. */
  readonly p50LatencyMs: number;
  /** Cost of one request in the catalogue's unit; 0: unknown. */
  readonly costPerRequest: number;
  /**
   * The version's live figures, from a provider of live statistics; absent under {@link declaredStats}
   * (`candidate.live` then reads 0 everywhere). FASTEST and BEST (accuracy) rank by them once they rest on
   * enough samples (see `MIN_LIVE_REQUESTS`, `MIN_LIVE_LABELLED`).
   */
  readonly live?: LiveStats | undefined;
}

/**
 * Supplies a candidate's figures. The default, {@link declaredStats}, reads the model's declared offline
 * metrics; a provider of live statistics (measured latency, accuracy from feedback) can replace it without
 * changing any policy. A provider is asked on every decision, so its figures may change between calls; one
 * marked with {@link snapshotStats} promises they do not, and the evaluator then caches what it derives from them.
 */
export type CandidateStatsProvider = (model: Model) => CandidateStats;

function finite(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) ? value : 0;
}

/** The model's declared offline metrics (`Model.metrics`), with 0 for what it does not declare. */
export function declaredStats(model: Model): CandidateStats {
  const metrics = model.metrics;
  return {
    accuracy: finite(metrics?.accuracy),
    f1: finite(metrics?.f1),
    p50LatencyMs: finite(metrics?.p50LatencyMs),
    costPerRequest: finite(metrics?.costPerRequest),
  };
}

/** Providers whose figures never change (a snapshot), so what is derived from them may be cached per provider. */
const snapshots = new WeakSet<CandidateStatsProvider>([declaredStats]);

/**
 * Marks `provider` as a snapshot: for as long as it exists it gives the same figures for the same model (new
 * figures come as a new provider). Constraint outcomes and rankings are then computed once per provider and
 * candidate list instead of on every decision. Returns `provider`. {@link declaredStats} is one.
 */
export function snapshotStats<P extends CandidateStatsProvider>(provider: P): P {
  snapshots.add(provider);
  return provider;
}

/** Whether `provider` is a snapshot (see {@link snapshotStats}). */
export function isSnapshotStats(provider: CandidateStatsProvider): boolean {
  return snapshots.has(provider);
}
