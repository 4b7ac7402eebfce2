import { durationFromMs, timestampFromMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { ModelStats } from "@modelrouter/contracts";
import { LATENCY_BUCKET_COUNT, latencyBucketOf } from "@modelrouter/policy";
import { Code } from "@modelrouter/rpc-kit";
import { backendFor, rpcErrorOf, uniqueName, validDecision, type Backend, type Driver, type Registry } from "./registry.test-support.js";

const drivers: Driver[] = ["pglite", "postgres"];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** A delta as a router sends it. */
interface DeltaInit {
  model?: { name: string; version: string } | undefined;
  startTime?: Timestamp | undefined;
  instance?: string;
  requests?: bigint;
  errorsByCode?: Record<number, bigint>;
  latencyBuckets?: bigint[];
  latencySumMs?: number;
}

/** A histogram of `latencies` as a router reports it. */
function histogram(latencies: readonly number[]): bigint[] {
  const buckets = new Array<bigint>(LATENCY_BUCKET_COUNT).fill(0n);
  for (const ms of latencies) buckets[latencyBucketOf(ms)]! += 1n;
  return buckets;
}

/** The exact `q` quantile of `values` (nearest rank). */
function trueQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

describe.each(drivers)("live model statistics on %s", (driver) => {
  /** The registry's clock: 40 s into a minute, fixed, so that minutes and windows are exact. */
  const clockMs = Date.UTC(2026, 0, 15, 12, 0, 40);
  let backend: Backend;
  let registry: Registry;

  beforeAll(async () => {
    backend = await backendFor(driver);
    registry = await backend.open({ store: { now: () => new Date(clockMs) } });
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  const delta = (model: string, ageMs: number, init: Omit<DeltaInit, "model" | "startTime"> & { version?: string } = {}): DeltaInit => {
    const { version = "1", ...rest } = init;
    return { model: { name: model, version }, startTime: timestampFromMs(clockMs - ageMs), ...rest };
  };

  const statsOf = async (model: string, windowMs?: number): Promise<ModelStats[]> =>
    (await registry.client.listModelStats({ model, ...(windowMs === undefined ? {} : { window: durationFromMs(windowMs) }) })).stats;

  describe("RecordModelStats and ListModelStats", () => {
    it("adds up the deltas of two routers per model version, in total and per instance, with error codes by name", async () => {
      const model = uniqueName("stats");
      await registry.client.recordModelStats({
        reporter: "router-a",
        deltas: [
          delta(model, 1_000, { instance: "10.0.0.1:7003", requests: 10n, errorsByCode: { 14: 2n }, latencyBuckets: histogram(new Array(10).fill(5)), latencySumMs: 50 }),
          delta(model, 1_000, { instance: "10.0.0.2:7003", requests: 4n, latencyBuckets: histogram(new Array(4).fill(5)), latencySumMs: 20 }),
        ],
      });
      await registry.client.recordModelStats({
        reporter: "router-b",
        deltas: [
          delta(model, 2_000, { instance: "10.0.0.1:7003", requests: 6n, errorsByCode: { 14: 1n, 4: 1n }, latencyBuckets: histogram(new Array(6).fill(5)), latencySumMs: 30 }),
          delta(model, 2_000, { version: "2", instance: "10.0.0.1:7003", requests: 3n }),
        ],
      });

      const [v1, v2, ...rest] = await statsOf(model);
      expect(rest).toEqual([]);
      expect(v1?.model?.version).toBe("1");
      expect(v2?.model?.version).toBe("2");
      expect([v1?.requests, v1?.errors, v1?.errorRate, v1?.meanLatencyMs]).toEqual([20n, 4n, 0.2, 5]);
      expect(v1?.errorsByCode).toEqual({ UNAVAILABLE: 3n, DEADLINE_EXCEEDED: 1n });
      expect(v1?.instances.map((i) => [i.instance, i.requests, i.errors, i.errorRate])).toEqual([
        ["10.0.0.1:7003", 16n, 4n, 0.25],
        ["10.0.0.2:7003", 4n, 0n, 0],
      ]);
      expect(v2?.requests).toBe(3n);
      expect(v2?.p50LatencyMs).toBe(0);
      expect(v1?.window).toEqual(durationFromMs(5 * MINUTE_MS));
    });

    it("adds up concurrent reports of the same minute exactly (on PostgreSQL through two registry replicas)", async () => {
      const model = uniqueName("stats");
      const other = driver === "postgres" ? await backend.open({ store: { now: () => new Date(clockMs) } }) : registry;
      try {
        const one = { deltas: [delta(model, 0, { instance: "10.0.0.1:7003", requests: 3n, errorsByCode: { 8: 1n }, latencyBuckets: histogram([1, 2, 40]), latencySumMs: 43 })] };
        await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? registry : other).client.recordModelStats(one)));
        const [stats] = await statsOf(model);
        expect([stats?.requests, stats?.errorsByCode, stats?.meanLatencyMs]).toEqual([60n, { RESOURCE_EXHAUSTED: 20n }, 43 / 3]);
      } finally {
        if (other !== registry) await other.close();
      }
    }, 60_000);

    it("reads every percentile within one bucket's width (20 %) of the true latency", async () => {
      const model = uniqueName("stats");
      const latencies = Array.from({ length: 2_000 }, (_, i) => 2 * 1.003 ** i);
      const halves = [latencies.filter((_, i) => i % 2 === 0), latencies.filter((_, i) => i % 2 === 1)];
      await registry.client.recordModelStats({
        deltas: halves.map((part, i) =>
          delta(model, i * 30_000, {
            instance: `router-${i}`,
            requests: BigInt(part.length),
            latencyBuckets: histogram(part),
            latencySumMs: part.reduce((a, b) => a + b, 0),
          }),
        ),
      });

      const [stats] = await statsOf(model);
      for (const [q, read] of [
        [0.5, stats?.p50LatencyMs],
        [0.95, stats?.p95LatencyMs],
        [0.99, stats?.p99LatencyMs],
      ] as const) {
        const truth = trueQuantile(latencies, q);
        expect(Math.abs(read! - truth) / truth).toBeLessThanOrEqual(0.2);
      }
      expect(stats?.meanLatencyMs).toBeCloseTo(latencies.reduce((a, b) => a + b, 0) / latencies.length, 6);
    });

    it("covers the minutes from the one the window begins in to now, and no older ones", async () => {
      const model = uniqueName("stats");
      await registry.client.recordModelStats({
        deltas: [delta(model, 2 * MINUTE_MS, { requests: 5n }), delta(model, 10 * MINUTE_MS, { requests: 7n }), delta(model, 0, { requests: 1n })],
      });
      expect((await statsOf(model)).map((s) => s.requests)).toEqual([6n]);
      expect((await statsOf(model, 15 * MINUTE_MS)).map((s) => s.requests)).toEqual([13n]);
      // 10 minutes before 12:00:40 falls in 11:50, which a 10-minute window reaches back to.
      expect((await statsOf(model, 10 * MINUTE_MS)).map((s) => s.requests)).toEqual([13n]);
      expect((await statsOf(model, MINUTE_MS)).map((s) => s.requests)).toEqual([1n]);
    });

    it("orders the versions of every model by name and version when no model is named", async () => {
      const [a, b] = [uniqueName("stats-a"), uniqueName("stats-b")];
      await registry.client.recordModelStats({
        deltas: [delta(b, 0, { requests: 1n }), delta(a, 0, { version: "2", requests: 1n }), delta(a, 0, { requests: 1n })],
      });
      const { stats } = await registry.client.listModelStats({});
      const ours = stats.filter((s) => s.model?.name === a || s.model?.name === b).map((s) => `${s.model?.name}@${s.model?.version}`);
      expect(ours).toEqual([`${a}@1`, `${a}@2`, `${b}@1`]);
    });
  });

  describe("accuracy and reward from feedback", () => {
    it("counts the labelled and rewarded decisions each version served in the window", async () => {
      const model = uniqueName("stats");
      const decide = async (ageMs: number, version = "1") => {
        const d = validDecision({ requestId: uniqueName("req"), time: timestampFromMs(clockMs - ageMs), model: { name: model, version }, topLabel: "7" });
        await registry.client.recordDecision({ decision: d });
        return d.requestId;
      };
      const label = (requestId: string, value: string) => registry.client.recordFeedback({ requestId, value: { case: "label", value } });
      const reward = (requestId: string, value: number) => registry.client.recordFeedback({ requestId, value: { case: "reward", value } });

      for (const truth of ["7", "7", "7", "3"]) await label(await decide(MINUTE_MS), truth);
      await reward(await decide(MINUTE_MS), 1);
      await reward(await decide(2 * MINUTE_MS), 0.5);
      await decide(MINUTE_MS);
      await label(await decide(MINUTE_MS, "2"), "1");
      await label(await decide(30 * MINUTE_MS), "3");

      const [v1, v2] = await statsOf(model);
      expect([v1?.labelled, v1?.correct, v1?.accuracy, v1?.rewarded, v1?.meanReward]).toEqual([4n, 3n, 0.75, 2n, 0.75]);
      expect([v1?.requests, v1?.instances]).toEqual([0n, []]);
      expect([v2?.model?.version, v2?.labelled, v2?.correct, v2?.accuracy]).toEqual(["2", 1n, 0n, 0]);
      const [wide] = await statsOf(model, HOUR_MS);
      expect([wide?.labelled, wide?.correct]).toEqual([5n, 3n]);
    });
  });

  describe("validation", () => {
    const invalid = async (deltas: DeltaInit[], field: string, fix: RegExp) => {
      const error = await rpcErrorOf(registry.client.recordModelStats({ deltas }));
      expect(error.code).toBe(Code.INVALID_ARGUMENT);
      expect(error.message).toContain(`${field}: `);
      expect(error.message).toMatch(fix);
    };

    it("names the delta and the field of every problem", async () => {
      const model = uniqueName("stats");
      await invalid([delta(model, 0), { ...delta(model, 0), model: { name: "Bad Name", version: "1" } }], "deltas[1].model.name", /model/);
      await invalid([{ ...delta(model, 0), model: undefined }], "deltas[0].model", /is required/);
      await invalid([delta(model, 0, { latencyBuckets: new Array(LATENCY_BUCKET_COUNT + 1).fill(0n) })], "deltas[0].latency_buckets", /has 82 buckets/);
      await invalid([delta(model, 0, { requests: 1n, errorsByCode: { 0: 1n } })], 'deltas[0].errors_by_code["0"]', /1 \(CANCELLED\) to 16/);
      await invalid([delta(model, 0, { requests: 1n, errorsByCode: { 17: 1n } })], 'deltas[0].errors_by_code["17"]', /1 \(CANCELLED\) to 16/);
      await invalid([delta(model, 0, { requests: 1n, errorsByCode: { 14: 2n } })], "deltas[0].errors_by_code", /more than the 1 requests/);
      await invalid([delta(model, 0, { latencySumMs: Number.NaN })], "deltas[0].latency_sum_ms", /finite number/);
      await invalid([delta(model, 0, { latencySumMs: -1 })], "deltas[0].latency_sum_ms", /≥ 0/);
      await invalid([{ ...delta(model, 0), startTime: undefined }], "deltas[0].start_time", /is required/);
      await invalid([delta(model, -5 * MINUTE_MS)], "deltas[0].start_time", /ahead of the registry's clock.*check the router's clock/);
      await invalid([delta(model, 25 * HOUR_MS)], "deltas[0].start_time", /older than the statistics' retention \(1440 minutes\)/);
      expect(await statsOf(model)).toEqual([]);
    });

    it("refuses more than 1,000 deltas in one call, and reports ten bad deltas one by one and the rest in one line", async () => {
      const model = uniqueName("stats");
      await invalid(Array.from({ length: 1_001 }, () => delta(model, 0)), "deltas", /has 1001 deltas; at most 1000/);
      const error = await rpcErrorOf(registry.client.recordModelStats({ deltas: Array.from({ length: 15 }, () => ({ ...delta(model, 0), model: undefined })) }));
      expect(error.message).toContain("deltas[9].model: is required");
      expect(error.message).not.toContain("deltas[10].model");
      expect(error.message).toContain("deltas: and 5 more items have problems");
    });

    it.each([
      ["30 seconds", 30_000],
      ["25 hours", 25 * HOUR_MS],
    ])("refuses a window of %s, naming window and the range", async (_, ms) => {
      const error = await rpcErrorOf(registry.client.listModelStats({ window: durationFromMs(ms) }));
      expect(error.code).toBe(Code.INVALID_ARGUMENT);
      expect(error.message).toMatch(/window: .*from 1 minute to 24 hours/);
    });

    it("refuses a model filter that is not a model name", async () => {
      const error = await rpcErrorOf(registry.client.listModelStats({ model: "Not A Name" }));
      expect(error.message).toContain("model: ");
    });
  });

  describe("bounds", () => {
    it("prunes minutes older than the retention", async () => {
      let now = clockMs;
      const own = await backend.openFresh({ store: { now: () => new Date(now), statsRetentionMs: HOUR_MS, decisionPruneIntervalMs: HOUR_MS } });
      try {
        const model = uniqueName("stats");
        await own.client.recordModelStats({ deltas: [{ model: { name: model, version: "1" }, startTime: timestampFromMs(now), requests: 2n }] });
        now += 30 * MINUTE_MS;
        await own.client.recordModelStats({ deltas: [{ model: { name: model, version: "1" }, startTime: timestampFromMs(now), requests: 3n }] });
        now += 40 * MINUTE_MS;
        expect(await own.store.pruneModelStats()).toBe(1);
        const { stats } = await own.client.listModelStats({ model, window: durationFromMs(24 * HOUR_MS) });
        expect(stats.map((s) => s.requests)).toEqual([3n]);
      } finally {
        await own.close();
      }
    }, 60_000);

    it("refuses new figures once the statistics hold their most rows, naming the setting", async () => {
      const own = await backend.openFresh({ store: { now: () => new Date(clockMs), maxStatsRows: 2 } });
      try {
        const model = uniqueName("stats");
        const at = (ageMs: number): DeltaInit => ({ model: { name: model, version: "1" }, startTime: timestampFromMs(clockMs - ageMs), requests: 1n });
        await own.client.recordModelStats({ deltas: [at(0), at(MINUTE_MS)] });
        const error = await rpcErrorOf(own.client.recordModelStats({ deltas: [at(2 * MINUTE_MS)] }));
        expect(error.code).toBe(Code.RESOURCE_EXHAUSTED);
        expect(error.message).toContain("MODELROUTER_REGISTRY_MAX_STATS_ROWS");
      } finally {
        await own.close();
      }
    }, 60_000);
  });
});
