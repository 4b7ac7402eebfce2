import type { Model } from "@modelrouter/contracts";

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
}

/**
 * Supplies a candidate's figures. The default, {@link declaredStats}, reads the model's declared offline
 * metrics; a provider of live statistics (measured latency, accuracy from feedback) can replace it without
 * changing any policy.
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
