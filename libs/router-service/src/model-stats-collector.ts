import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { ModelStatsDeltaSchema, type ModelStatsDelta } from "@modelrouter/contracts";
import { LATENCY_BUCKET_COUNT, latencyBucketOf } from "@modelrouter/policy";
import type { ModelNamed } from "./instance-load.js";

/** What sees every attempt of a model version on an executor instance end (the router's live statistics). */
export interface AttemptObserver {
  /** A monotonic clock in ms, read when an attempt starts and when it ends. */
  readonly clock: () => number;
  /** Counts one attempt of `model` on `instance` that ended with `code` (0: it succeeded) after `latencyMs`. */
  observe(model: ModelNamed | undefined, instance: string, code: number, latencyMs: number): void;
}

/** What a {@link ModelStatsCollector} counted in one interval. */
export interface ModelStatsInterval {
  /** One delta per (model, version, instance) that had attempts, all with the interval's start time. */
  readonly deltas: ModelStatsDelta[];
  /** Attempts not counted because the interval already had its most keys. */
  readonly dropped: number;
}

/** Counts attempts per (model, version, instance) for the current interval, in memory. */
export interface ModelStatsCollector extends AttemptObserver {
  /** Ends the current interval, returning what it counted, and starts the next one. */
  drain(): ModelStatsInterval;
  /** The (model, version, instance) keys counted now. */
  keys(): number;
}

/** Options of {@link createModelStatsCollector}. */
export interface ModelStatsCollectorOptions {
  /** At most this many (model, version, instance) keys at once; an attempt of one more is dropped and counted. */
  readonly maxKeys: number;
  /** The monotonic clock attempts are timed with. Default: `performance.now`. */
  readonly clock?: () => number;
  /** The wall clock an interval's start time is read from, epoch ms. Default: `Date.now`. */
  readonly wallClock?: () => number;
}

/** The google.rpc codes an attempt can end with: 0 (OK) to 16 (UNAUTHENTICATED); any other counts as 2 (UNKNOWN). */
const CODE_COUNT = 17;
const UNKNOWN = 2;

class Counters {
  requests = 0;
  latencySumMs = 0;
  readonly errors = new Float64Array(CODE_COUNT);
  readonly buckets = new Float64Array(LATENCY_BUCKET_COUNT);
  constructor(
    readonly name: string,
    readonly version: string,
    readonly instance: string,
  ) {}

  reset(): void {
    this.requests = 0;
    this.latencySumMs = 0;
    this.errors.fill(0);
    this.buckets.fill(0);
  }
}

function deltaOf(counters: Counters, startMs: number): ModelStatsDelta {
  const errorsByCode: Record<number, bigint> = {};
  counters.errors.forEach((count, code) => {
    if (count > 0) errorsByCode[code] = BigInt(count);
  });
  let length = counters.buckets.length;
  while (length > 0 && counters.buckets[length - 1] === 0) length -= 1;
  return create(ModelStatsDeltaSchema, {
    model: { name: counters.name, version: counters.version },
    instance: counters.instance,
    startTime: timestampFromMs(startMs),
    requests: BigInt(counters.requests),
    errorsByCode,
    latencyBuckets: Array.from(counters.buckets.subarray(0, length), (count) => BigInt(count)),
    latencySumMs: counters.latencySumMs,
  });
}

/**
 * Creates a {@link ModelStatsCollector}. Counting an attempt is three map look-ups and a few additions: nothing
 * is allocated but the counters of a key's first attempt. A key with no attempt in a whole interval is forgotten
 * when the interval is drained, so the keys are those of live traffic, at most `maxKeys` of them.
 */
export function createModelStatsCollector(options: ModelStatsCollectorOptions): ModelStatsCollector {
  const wallClock = options.wallClock ?? Date.now;
  const byInstance = new Map<string, Map<string, Map<string, Counters>>>();
  let keys = 0;
  let dropped = 0;
  let intervalStart = wallClock();

  const countersOf = (name: string, version: string, instance: string): Counters | undefined => {
    let byName = byInstance.get(instance);
    let byVersion = byName?.get(name);
    const found = byVersion?.get(version);
    if (found !== undefined) return found;
    if (keys >= options.maxKeys) return undefined;
    if (byName === undefined) byInstance.set(instance, (byName = new Map()));
    if (byVersion === undefined) byName.set(name, (byVersion = new Map()));
    const counters = new Counters(name, version, instance);
    byVersion.set(version, counters);
    keys += 1;
    return counters;
  };

  return {
    clock: options.clock ?? (() => performance.now()),
    observe(model, instance, code, latencyMs) {
      const counters = countersOf(model?.name ?? "", model?.version ?? "", instance);
      if (counters === undefined) {
        dropped += 1;
        return;
      }
      const ms = latencyMs > 0 ? latencyMs : 0;
      counters.requests += 1;
      counters.latencySumMs += ms;
      counters.buckets[latencyBucketOf(ms)]! += 1;
      if (code !== 0) counters.errors[Number.isInteger(code) && code > 0 && code < CODE_COUNT ? code : UNKNOWN]! += 1;
    },
    drain() {
      const deltas: ModelStatsDelta[] = [];
      for (const [instance, byName] of byInstance) {
        for (const [name, byVersion] of byName) {
          for (const [version, counters] of byVersion) {
            if (counters.requests === 0) {
              byVersion.delete(version);
              keys -= 1;
              continue;
            }
            deltas.push(deltaOf(counters, intervalStart));
            counters.reset();
          }
          if (byVersion.size === 0) byName.delete(name);
        }
        if (byName.size === 0) byInstance.delete(instance);
      }
      const interval = { deltas, dropped };
      dropped = 0;
      intervalStart = wallClock();
      return interval;
    },
    keys: () => keys,
  };
}
