import type { ListModelStatsResponse } from "@modelrouter/contracts";
import type { GuardFigures } from "@modelrouter/policy";

/** The counts that only grow while the anchor stays put: attempts, failures, labelled and correct answers. */
interface Counts {
  readonly requests: number;
  readonly errors: number;
  readonly labelled: number;
  readonly correct: number;
}

/** What one interval between two polls added, per model version ("name@version"). */
interface Interval {
  readonly at: number;
  readonly deltas: ReadonlyMap<string, Counts>;
}

/** A version's p95 latency from a short window, with the attempts it rests on. */
interface Latency {
  readonly p95LatencyMs: number;
  readonly samples: number;
}

/** Options of {@link createHealthRing}. */
export interface HealthRingOptions {
  /** How far back the figures reach, in milliseconds (`MODELROUTER_DECISION_HEALTH_WINDOW`). */
  readonly windowMs: number;
}

/**
 * Exact figures over the last `windowMs` from cumulative counts: each {@link HealthRing.observe} is given the
 * counts since a fixed anchor (which only grow), keeps the difference from the previous observation as one
 * interval, and drops intervals older than the window. Pure: the caller passes every time.
 */
export interface HealthRing {
  /**
   * Records the cumulative counts of `response` (a `ListModelStats` answer over a window anchored at a fixed
   * start), observed at `at`. The first observation (and the first after {@link HealthRing.rebase}) is the
   * baseline. A version whose counts went down (the registry pruned or restarted) takes them as its new baseline.
   */
  observe(response: ListModelStatsResponse, at: number): void;
  /** Forgets the baseline: the next observation is over a new anchor. Intervals already kept stay. */
  rebase(): void;
  /** Records the p95 latencies of a short-window answer (the counts cannot give a percentile of an interval). */
  observeLatency(response: ListModelStatsResponse): void;
  /** Every version's figures over the intervals that ended within `windowMs` of `now`. */
  figures(now: number): ReadonlyMap<string, GuardFigures>;
}

function key(name: string, version: string): string {
  return `${name}@${version}`;
}

function countsOf(response: ListModelStatsResponse): Map<string, Counts> {
  const counts = new Map<string, Counts>();
  for (const s of response.stats) {
    if (s.model === undefined) continue;
    counts.set(key(s.model.name, s.model.version), {
      requests: Number(s.requests),
      errors: Number(s.errors),
      labelled: Number(s.labelled),
      correct: Number(s.correct),
    });
  }
  return counts;
}

const ZERO: Counts = { requests: 0, errors: 0, labelled: 0, correct: 0 };

function difference(now: Counts, before: Counts): Counts | undefined {
  const d = {
    requests: now.requests - before.requests,
    errors: now.errors - before.errors,
    labelled: now.labelled - before.labelled,
    correct: now.correct - before.correct,
  };
  if (d.requests < 0 || d.errors < 0 || d.labelled < 0 || d.correct < 0) return undefined;
  return d;
}

/** Creates an empty ring (see {@link HealthRing}). */
export function createHealthRing(options: HealthRingOptions): HealthRing {
  let baseline: Map<string, Counts> | undefined;
  let intervals: Interval[] = [];
  let latency = new Map<string, Latency>();
  return {
    observe(response, at) {
      const counts = countsOf(response);
      if (baseline !== undefined) {
        const deltas = new Map<string, Counts>();
        for (const [version, now] of counts) {
          const d = difference(now, baseline.get(version) ?? ZERO);
          if (d !== undefined && (d.requests > 0 || d.labelled > 0)) deltas.set(version, d);
        }
        intervals.push({ at, deltas });
      }
      baseline = counts;
      intervals = intervals.filter((i) => i.at > at - options.windowMs);
    },
    rebase() {
      baseline = undefined;
    },
    observeLatency(response) {
      const next = new Map<string, Latency>();
      for (const s of response.stats) {
        if (s.model === undefined) continue;
        next.set(key(s.model.name, s.model.version), { p95LatencyMs: s.p95LatencyMs, samples: Number(s.requests) });
      }
      latency = next;
    },
    figures(now) {
      const sums = new Map<string, { requests: number; errors: number; labelled: number; correct: number }>();
      for (const interval of intervals) {
        if (interval.at <= now - options.windowMs) continue;
        for (const [version, d] of interval.deltas) {
          const sum = sums.get(version) ?? { requests: 0, errors: 0, labelled: 0, correct: 0 };
          sum.requests += d.requests;
          sum.errors += d.errors;
          sum.labelled += d.labelled;
          sum.correct += d.correct;
          sums.set(version, sum);
        }
      }
      const figures = new Map<string, GuardFigures>();
      for (const version of new Set([...sums.keys(), ...latency.keys()])) {
        const sum = sums.get(version) ?? ZERO;
        const slow = latency.get(version);
        figures.set(version, {
          attempts: sum.requests,
          errorRate: sum.requests === 0 ? 0 : sum.errors / sum.requests,
          p95LatencyMs: slow?.p95LatencyMs ?? 0,
          latencySamples: slow?.samples ?? 0,
          labelled: sum.labelled,
          accuracy: sum.labelled === 0 ? 0 : sum.correct / sum.labelled,
        });
      }
      return figures;
    },
  };
}
