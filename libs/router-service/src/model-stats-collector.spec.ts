import { describe, expect, it } from "@jest/globals";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { ModelStatsDelta } from "@modelrouter/contracts";
import { LATENCY_BUCKETS_MS, latencyBucketOf } from "@modelrouter/policy";
import { Code } from "@modelrouter/rpc-kit";
import { createModelStatsCollector } from "./model-stats-collector.js";

const general = { name: "digits-general", version: "1.0.0" };
const lite = { name: "digits-lite", version: "1.0.0" };

/** A delta as plain numbers: which key, how many, which codes, which buckets hold what. */
function summary(delta: ModelStatsDelta) {
  const buckets: Record<number, number> = {};
  delta.latencyBuckets.forEach((count, index) => {
    if (count > 0n) buckets[index] = Number(count);
  });
  return {
    key: `${delta.model?.name}@${delta.model?.version} on "${delta.instance}"`,
    requests: Number(delta.requests),
    errors: Object.fromEntries(Object.entries(delta.errorsByCode).map(([code, count]) => [code, Number(count)])),
    buckets,
    sum: delta.latencySumMs,
  };
}

function manualWallClock(startMs: number) {
  let now = startMs;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("the live statistics collector", () => {
  it("counts each (model, version, instance)'s attempts, failures by code and latencies in the shared histogram", () => {
    const wall = manualWallClock(1_700_000_000_000);
    const collector = createModelStatsCollector({ maxKeys: 10, wallClock: wall.now });
    collector.observe(general, "10.0.0.5:50055", Code.OK, 2);
    collector.observe(general, "10.0.0.5:50055", Code.OK, 2.1);
    collector.observe(general, "10.0.0.5:50055", Code.UNAVAILABLE, 30);
    collector.observe(general, "10.0.0.6:50055", Code.DEADLINE_EXCEEDED, 1000);
    collector.observe(lite, "10.0.0.5:50055", Code.OK, 0.04);
    collector.observe({ name: "digits-lite", version: "2.0.0" }, "10.0.0.5:50055", Code.OK, 0.5);

    const { deltas, dropped } = collector.drain();
    expect(dropped).toBe(0);
    expect(deltas.map(summary).sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      {
        key: 'digits-general@1.0.0 on "10.0.0.5:50055"',
        requests: 3,
        errors: { [Code.UNAVAILABLE]: 1 },
        buckets: { [latencyBucketOf(2)]: 2, [latencyBucketOf(30)]: 1 },
        sum: expect.closeTo(34.1, 9),
      },
      { key: 'digits-general@1.0.0 on "10.0.0.6:50055"', requests: 1, errors: { [Code.DEADLINE_EXCEEDED]: 1 }, buckets: { [latencyBucketOf(1000)]: 1 }, sum: 1000 },
      { key: 'digits-lite@1.0.0 on "10.0.0.5:50055"', requests: 1, errors: {}, buckets: { 0: 1 }, sum: 0.04 },
      { key: 'digits-lite@2.0.0 on "10.0.0.5:50055"', requests: 1, errors: {}, buckets: { [latencyBucketOf(0.5)]: 1 }, sum: 0.5 },
    ]);
    expect(deltas.map((d) => timestampMs(d.startTime!))).toEqual([1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_000]);
  });

  it("puts a latency in the first bucket whose bound holds it, and one beyond the last bound in the open-ended bucket", () => {
    const collector = createModelStatsCollector({ maxKeys: 10 });
    const bound = LATENCY_BUCKETS_MS[20]!;
    collector.observe(general, "", Code.OK, bound);
    collector.observe(general, "", Code.OK, bound * 1.01);
    collector.observe(general, "", Code.OK, LATENCY_BUCKETS_MS.at(-1)! * 2);
    const [delta] = collector.drain().deltas;
    expect(summary(delta!).buckets).toEqual({ 20: 1, 21: 1, [LATENCY_BUCKETS_MS.length]: 1 });
    expect(delta!.latencyBuckets).toHaveLength(LATENCY_BUCKETS_MS.length + 1);
  });

  it("leaves out the trailing empty buckets", () => {
    const collector = createModelStatsCollector({ maxKeys: 10 });
    collector.observe(general, "", Code.OK, LATENCY_BUCKETS_MS[3]!);
    expect(collector.drain().deltas[0]!.latencyBuckets).toEqual([0n, 0n, 0n, 1n]);
  });

  it("counts a code outside google.rpc's as UNKNOWN, and a negative or unmeasurable latency as 0 ms", () => {
    const collector = createModelStatsCollector({ maxKeys: 10 });
    collector.observe(general, "", 99, -3);
    collector.observe(general, "", Code.INTERNAL, Number.NaN);
    expect(collector.drain().deltas.map(summary)).toEqual([
      { key: 'digits-general@1.0.0 on ""', requests: 2, errors: { [Code.UNKNOWN]: 1, [Code.INTERNAL]: 1 }, buckets: { 0: 2 }, sum: 0 },
    ]);
  });

  it("starts a new interval on each drain: counts start again from zero, under the new start time", () => {
    const wall = manualWallClock(1_000_000);
    const collector = createModelStatsCollector({ maxKeys: 10, wallClock: wall.now });
    collector.observe(general, "", Code.OK, 1);
    collector.observe(general, "", Code.OK, 1);
    wall.advance(1000);
    expect(collector.drain().deltas.map((d) => Number(d.requests))).toEqual([2]);
    collector.observe(general, "", Code.ABORTED, 1);
    const [second] = collector.drain().deltas;
    expect(summary(second!)).toMatchObject({ requests: 1, errors: { [Code.ABORTED]: 1 } });
    expect(timestampMs(second!.startTime!)).toBe(1_001_000);
    expect(collector.drain().deltas).toEqual([]);
  });

  it("holds at most maxKeys keys, counting the attempts of one more as dropped, and forgets a key idle for an interval", () => {
    const collector = createModelStatsCollector({ maxKeys: 2 });
    collector.observe(general, "a", Code.OK, 1);
    collector.observe(lite, "a", Code.OK, 1);
    collector.observe(general, "b", Code.OK, 1);
    collector.observe(general, "b", Code.OK, 1);
    collector.observe(general, "a", Code.OK, 1);
    const first = collector.drain();
    expect(first.dropped).toBe(2);
    expect(first.deltas.map(summary).map((s) => [s.key, s.requests])).toEqual([
      ['digits-general@1.0.0 on "a"', 2],
      ['digits-lite@1.0.0 on "a"', 1],
    ]);

    collector.observe(general, "a", Code.OK, 1);
    expect(collector.drain()).toMatchObject({ dropped: 0 });
    expect(collector.keys()).toBe(1);
    collector.observe(general, "b", Code.OK, 1);
    const third = collector.drain();
    expect(third.dropped).toBe(0);
    expect(third.deltas.map(summary).map((s) => s.key).sort()).toEqual(['digits-general@1.0.0 on "b"']);
  });
});
