/** Settings of the router's adaptive concurrency limit. */
export interface AdaptiveConcurrencySettings {
  /** The limit never goes below this (requests in flight). */
  readonly minLimit: number;
  /** …nor above this. */
  readonly maxLimit: number;
  /** The limit at start, before any latency was measured. */
  readonly initialLimit: number;
  /**
   * How much slower than the fastest recent request a typical one may be before the limit shrinks: the limit
   * grows while the interval's 90th percentile is within `tolerance × minimum`, and shrinks in proportion beyond.
   */
  readonly tolerance: number;
  /** The limit is recomputed once per interval (with at least a few latencies measured in it), in ms. */
  readonly intervalMs: number;
  /** The minimum latency is the lowest one measured in this window, in ms, so that it follows a slower model. */
  readonly minLatencyWindowMs: number;
  /**
   * The share of the limit the lowest tier may use, 0 to 1; the highest tier uses all of it and the tiers between
   * get shares evenly between the two, so that the lower tiers are shed first. A tier is held to its share only
   * while a higher tier has requests in flight: capacity no higher tier uses is lent to the lower ones.
   */
  readonly lowestTierShare: number;
}

/**
 * The defaults: 64 to 1,000 in flight, starting at 64, tolerance 2, every 100 ms, minimum over 30 s, lowest tier 50 %.
 * The floor is high on purpose: latency rises with queueing well before a router is overloaded (at half its
 * capacity, p50 is several times the idle minimum), and a lower floor shed requests it could serve in time (with a
 * floor of 8, the benchmark's co-located router refused requests at 200 requests/s, a sixth of its capacity).
 */
export const DEFAULT_ADAPTIVE_CONCURRENCY: AdaptiveConcurrencySettings = {
  minLimit: 64,
  maxLimit: 1000,
  initialLimit: 64,
  tolerance: 2,
  intervalMs: 100,
  minLatencyWindowMs: 30_000,
  lowestTierShare: 0.5,
};

/** How an admitted request ended, for the limit. */
export type RequestOutcome =
  /** Answered: its latency is a sample (only for requests of one kind, so that the samples compare). */
  | { readonly kind: "latency"; readonly ms: number }
  /** Something downstream was overloaded (an executor's queue full, a service unreachable): the limit backs off. */
  | { readonly kind: "overloaded" }
  /** Nothing to learn (an invalid request, a stream, an explanation). */
  | { readonly kind: "ignored" };

/** Why a request was shed. */
export interface ShedFacts {
  readonly inFlight: number;
  /** The requests the request's tier may have in flight now. */
  readonly tierLimit: number;
  /** The whole limit (the highest tier's). */
  readonly limit: number;
  /** When a slot is likely free again: about one typical request's latency, at least one interval. */
  readonly retryAfterMs: number;
}

/** An admitted request's slot: ended once with its outcome (a second end does nothing). */
export interface AdmissionSlot {
  end(outcome: RequestOutcome, now: number): void;
}

/**
 * An adaptive concurrency limit (the gradient algorithm of Envoy's adaptive concurrency filter and Netflix's
 * concurrency-limits): requests beyond the limit are refused at once instead of queueing into their deadline,
 * and the limit follows the latency the requests see. Pure: the time is passed in.
 */
export interface AdaptiveConcurrency {
  /** Admits a request of tier rank `rank` (0 the highest, `ranks − 1` the lowest) at `now`, or says why not. */
  enter(rank: number, ranks: number, now: number): AdmissionSlot | ShedFacts;
  readonly limit: number;
  readonly inFlight: number;
  /** The lowest latency in the window, ms (undefined before any was measured). */
  readonly minLatencyMs: number | undefined;
}

/** The most latencies kept per interval (the last ones). */
const MAX_SAMPLES = 1024;
/** An interval ends only once it has this many latencies (or after 10 intervals with fewer). */
const MIN_SAMPLES = 8;
/** Buckets of the minimum-latency window. */
const MIN_WINDOW_BUCKETS = 30;
/** On a downstream overload the limit is multiplied by this (once per interval). */
const BACKOFF = 0.9;

/** True when a request was admitted, false when it is a refusal. */
export function isAdmitted(entry: AdmissionSlot | ShedFacts): entry is AdmissionSlot {
  return "end" in entry;
}

/** The share of the limit tier rank `rank` of `ranks` may use. */
export function tierShare(rank: number, ranks: number, lowestShare: number): number {
  if (ranks <= 1) return 1;
  const r = Math.min(Math.max(rank, 0), ranks - 1);
  return 1 - ((1 - lowestShare) * r) / (ranks - 1);
}

/** Creates an {@link AdaptiveConcurrency} limit. */
export function createAdaptiveConcurrency(settings: AdaptiveConcurrencySettings, start: number): AdaptiveConcurrency {
  let limit = Math.min(settings.maxLimit, Math.max(settings.minLimit, settings.initialLimit));
  let inFlight = 0;
  let intervalStart = start;
  let samples: number[] = [];
  let sampleCount = 0;
  let peakInFlight = 0;
  let overloaded = false;
  let lastP90: number | undefined;
  // The minimum latency per bucket of the window: [bucket start, minimum].
  const bucketMs = settings.minLatencyWindowMs / MIN_WINDOW_BUCKETS;
  const minima: [number, number][] = [];
  // Requests in flight by tier rank.
  const inFlightByRank: number[] = [];

  const minLatency = (now: number): number | undefined => {
    while (minima.length > 0 && minima[0]![0] + settings.minLatencyWindowMs <= now) minima.shift();
    let min: number | undefined;
    for (const [, m] of minima) if (min === undefined || m < min) min = m;
    return min;
  };
  const recordMinimum = (ms: number, now: number): void => {
    const bucket = Math.floor(now / bucketMs) * bucketMs;
    const last = minima.at(-1);
    if (last !== undefined && last[0] === bucket) last[1] = Math.min(last[1], ms);
    else minima.push([bucket, ms]);
  };
  const clamp = (value: number): number => Math.min(settings.maxLimit, Math.max(settings.minLimit, value));

  function update(now: number): void {
    const elapsed = now - intervalStart;
    if (elapsed < settings.intervalMs) return;
    if (!overloaded && sampleCount < MIN_SAMPLES && elapsed < settings.intervalMs * 10) return;
    if (overloaded) {
      limit = clamp(limit * BACKOFF);
    } else if (sampleCount > 0) {
      const sorted = samples.slice(0, Math.min(sampleCount, MAX_SAMPLES)).sort((a, b) => a - b);
      const p90 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))]!;
      lastP90 = p90;
      const min = minLatency(now) ?? p90;
      const gradient = Math.min(1, Math.max(0.5, (settings.tolerance * Math.max(min, 0.001)) / Math.max(p90, 0.001)));
      // Grow only when the limit was what held requests back (at least half of it in use).
      const headroom = peakInFlight * 2 >= limit ? Math.sqrt(limit) : 0;
      limit = clamp(limit * gradient + (gradient === 1 ? headroom : 0));
    }
    intervalStart = now;
    samples = [];
    sampleCount = 0;
    peakInFlight = inFlight;
    overloaded = false;
  }

  return {
    get limit() {
      return Math.floor(limit);
    },
    get inFlight() {
      return inFlight;
    },
    get minLatencyMs() {
      return minLatency(intervalStart);
    },
    enter(rank, ranks, now) {
      update(now);
      const r = Math.min(Math.max(rank, 0), Math.max(ranks - 1, 0));
      let higherActive = false;
      for (let h = 0; h < r && !higherActive; h++) higherActive = (inFlightByRank[h] ?? 0) > 0;
      const share = higherActive ? tierShare(r, ranks, settings.lowestTierShare) : 1;
      const tierLimit = Math.max(1, Math.floor(limit * share));
      if (inFlight >= tierLimit) {
        const retryAfterMs = Math.max(settings.intervalMs, Math.ceil(lastP90 ?? 0));
        return { inFlight, tierLimit, limit: Math.floor(limit), retryAfterMs };
      }
      inFlight += 1;
      inFlightByRank[r] = (inFlightByRank[r] ?? 0) + 1;
      peakInFlight = Math.max(peakInFlight, inFlight);
      let ended = false;
      return {
        end(outcome, at) {
          if (ended) return;
          ended = true;
          inFlight -= 1;
          inFlightByRank[r] = (inFlightByRank[r] ?? 1) - 1;
          if (outcome.kind === "latency") {
            samples[sampleCount % MAX_SAMPLES] = outcome.ms;
            sampleCount += 1;
            recordMinimum(outcome.ms, at);
          } else if (outcome.kind === "overloaded") {
            overloaded = true;
          }
          update(at);
        },
      };
    },
  };
}
