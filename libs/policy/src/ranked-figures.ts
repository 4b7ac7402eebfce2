import type { CandidateStats } from "./candidate-stats.js";

/**
 * The attempts a version needs in the statistics window before STRATEGY_FASTEST ranks it by its measured
 * median latency instead of the declared one.
 */
export const MIN_LIVE_REQUESTS = 20;

/**
 * The labelled decisions a version needs in the statistics window before STRATEGY_BEST with metric "accuracy"
 * ranks it by its accuracy from feedback instead of the declared one.
 */
export const MIN_LIVE_LABELLED = 30;

/** The figure a ranking strategy compares for one candidate, and what it rests on. */
export interface RankedFigure {
  readonly value: number;
  /** What the value measures, for the explanation's `metric`: "p50_latency_ms", or "live_p50_latency_ms" when measured. */
  readonly metric: string;
  /** Whether the value is a live figure. */
  readonly live: boolean;
  /**
   * The value with its origin for the explanation: "live accuracy 0.91 over 120 labelled", "accuracy 0.95"
   * (declared, no live figures), "declared accuracy 0.95 (live: 12 labelled, under 30)".
   */
  readonly text: string;
}

/** Reads one candidate's ranking figure from its statistics. */
export type FigureReader = (stats: CandidateStats) => RankedFigure;

/** A declared figure only (cost per request, F1): no live counterpart. */
export function declaredFigure(metric: string, read: (stats: CandidateStats) => number): FigureReader {
  return (stats) => {
    const value = read(stats);
    return { value, metric, live: false, text: `${metric} ${value}` };
  };
}

/**
 * A figure that switches to its live counterpart once the live count reaches `minimum`: for example the
 * median latency over at least {@link MIN_LIVE_REQUESTS} attempts. Below it, or without live figures, the
 * declared value, named "declared" when live figures exist but are too few.
 */
function liveOrDeclared(
  metric: string,
  declared: (stats: CandidateStats) => number,
  measured: (stats: NonNullable<CandidateStats["live"]>) => { value: number; count: number },
  unit: string,
  minimum: number,
): FigureReader {
  return (stats) => {
    const value = declared(stats);
    if (stats.live === undefined) return { value, metric, live: false, text: `${metric} ${value}` };
    const live = measured(stats.live);
    if (live.count >= minimum && Number.isFinite(live.value)) {
      return { value: live.value, metric: `live_${metric}`, live: true, text: `live ${metric} ${live.value} over ${live.count} ${unit}` };
    }
    return { value, metric, live: false, text: `declared ${metric} ${value} (live: ${live.count} ${unit}, under ${minimum})` };
  };
}

/** STRATEGY_FASTEST's figure: the live median latency over enough attempts, else the declared one. */
export const latencyFigure: FigureReader = liveOrDeclared(
  "p50_latency_ms",
  (stats) => stats.p50LatencyMs,
  (live) => ({ value: live.p50LatencyMs, count: live.requests }),
  "requests",
  MIN_LIVE_REQUESTS,
);

/** STRATEGY_BEST's "accuracy": the accuracy from feedback over enough labelled decisions, else the declared one. */
export const accuracyFigure: FigureReader = liveOrDeclared(
  "accuracy",
  (stats) => stats.accuracy,
  (live) => ({ value: live.accuracy, count: live.labelled }),
  "labelled",
  MIN_LIVE_LABELLED,
);
