import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import {
  type DecideResponse,
  DecisionService,
  InputProfileSchema,
  ListModelStatsResponseSchema,
  Modality,
  ModelSchema,
  OfflineMetricsSchema,
  type RegistryService,
  Strategy,
} from "@modelrouter/contracts";
import { MIN_LIVE_REQUESTS, NO_LIVE_STATS, declaredStats, latencyBucketOf } from "@modelrouter/policy";
import { type ServiceClient, createDirectClient } from "@modelrouter/rpc-kit";
import {
  type TestRegistry,
  eventually,
  logged,
  memoryLogger,
  modelInit,
  startRegistry,
  targetOf,
} from "./decision.test-support.js";
import {
  type CatalogueSync,
  type StatsPoller,
  createCatalogueSync,
  createDecisionService,
  createStatsPoller,
  liveStatsSnapshot,
  startDecisionEngine,
} from "./index.js";

jest.setTimeout(60_000);

const image = create(InputProfileSchema, { modality: Modality.IMAGE, mimeType: "image/png", image: { width: 28, height: 28 } });

/** Two versions: digits-a declares itself fast (5 ms), digits-b slow (50 ms); a policy picks the fastest. */
async function registerFastestRoute(registry: TestRegistry): Promise<void> {
  await registry.client.registerModel({ model: { ...modelInit("digits-a", "1"), metrics: create(OfflineMetricsSchema, { p50LatencyMs: 5 }) } });
  await registry.client.registerModel({ model: { ...modelInit("digits-b", "1"), metrics: create(OfflineMetricsSchema, { p50LatencyMs: 50 }) } });
  await registry.client.applyPolicy({
    policy: {
      name: "digits-fastest",
      defaultRoute: {
        strategy: Strategy.FASTEST,
        targets: ["digits-a", "digits-b"].map((name) => ({ kind: { case: "model" as const, value: { name } } })),
      },
    },
  });
}

/** Reports `requests` attempts of `name`@1 that each took `latencyMs`, as a router would. */
async function recordAttempts(registry: TestRegistry, name: string, requests: number, latencyMs: number): Promise<void> {
  const buckets = new Array<bigint>(latencyBucketOf(latencyMs) + 1).fill(0n);
  buckets[latencyBucketOf(latencyMs)] = BigInt(requests);
  await registry.client.recordModelStats({
    reporter: "router-test",
    deltas: [
      {
        model: { name, version: "1" },
        startTime: timestampFromMs(Date.now()),
        requests: BigInt(requests),
        latencyBuckets: buckets,
        latencySumMs: requests * latencyMs,
      },
    ],
  });
}

function reasonOfTarget(response: DecideResponse): string {
  const target = response.decision?.target?.model?.name;
  return response.decision?.explanation?.candidates.find((c) => c.model?.name === target)?.reason ?? "";
}

describe("a live statistics snapshot", () => {
  it("gives each version its figures on top of its declared metrics, and 0s to a version without figures", () => {
    const response = create(ListModelStatsResponseSchema, {
      stats: [{ model: { name: "digits-a", version: "1" }, requests: 42n, p50LatencyMs: 12.5, errorRate: 0.1, labelled: 3n, accuracy: 1 }],
    });
    const snapshot = liveStatsSnapshot(response, 1000, 300_000);
    const model = create(ModelSchema, { ...modelInit("digits-a", "1"), metrics: create(OfflineMetricsSchema, { p50LatencyMs: 5 }) });
    expect(snapshot.provider(model)).toEqual({
      ...declaredStats(model),
      live: { ...NO_LIVE_STATS, requests: 42, p50LatencyMs: 12.5, errorRate: 0.1, labelled: 3, accuracy: 1 },
    });
    const other = { ...model, version: "2" };
    expect(snapshot.provider(other).live).toEqual(NO_LIVE_STATS);
    expect(snapshot.provider(model)).toBe(snapshot.provider(model));
  });
});

describe("the decision engine with live statistics from a real registry", () => {
  let registry: TestRegistry;
  let sync: CatalogueSync | undefined;
  let poller: StatsPoller | undefined;
  let logs: string[];
  let now: number;

  beforeEach(async () => {
    registry = await startRegistry();
    await registerFastestRoute(registry);
    logs = [];
    now = Date.UTC(2024, 5, 1, 12);
  });

  afterEach(async () => {
    await poller?.close();
    await sync?.close();
    await registry.close();
  });

  /** An engine whose poller polls only when told, on a clock the test moves, over `registryClient`. */
  async function engineOn(registryClient: ServiceClient<typeof RegistryService>): Promise<ServiceClient<typeof DecisionService>> {
    const logger = memoryLogger(logs);
    sync = createCatalogueSync({ registry: registry.client, logger, retryDelayMs: 20, maxRetryDelayMs: 200 });
    poller = createStatsPoller({ registry: registryClient, logger, start: false, clock: () => now, intervalMs: 1000, maxAgeMs: 10_000 });
    const impl = createDecisionService({ catalogue: sync, registry: registry.client, clock: () => now, liveStats: poller });
    await sync.ready;
    return createDirectClient(DecisionService, impl, { defaultTimeoutMs: 30_000 });
  }

  it("chooses the version measured fastest once it has enough attempts, and says the figure is live", async () => {
    const engine = await engineOn(registry.client);
    expect(targetOf(await engine.decide({ profile: image }))).toBe("digits-a@1");

    await recordAttempts(registry, "digits-a", 200, 120);
    await recordAttempts(registry, "digits-b", 200, 8);
    expect(await poller?.pollOnce()).toBe(true);
    const decided = await engine.decide({ profile: image });
    expect(targetOf(decided)).toBe("digits-b@1");
    expect(reasonOfTarget(decided)).toMatch(/^the lowest p50_latency_ms \(live p50_latency_ms [\d.]+ over 200 requests\) of 2 candidate/);
    expect(decided.decision?.explanation?.candidates.map((c) => c.metric)).toEqual(["live_p50_latency_ms", "live_p50_latency_ms"]);
  });

  it("keeps the declared figure for a version with fewer attempts than the minimum", async () => {
    const engine = await engineOn(registry.client);
    await recordAttempts(registry, "digits-a", MIN_LIVE_REQUESTS - 1, 120);
    await poller?.pollOnce();
    const decided = await engine.decide({ profile: image });
    expect(targetOf(decided)).toBe("digits-a@1");
    expect(reasonOfTarget(decided)).toBe(
      `the lowest p50_latency_ms (declared p50_latency_ms 5 (live: ${MIN_LIVE_REQUESTS - 1} requests, under ${MIN_LIVE_REQUESTS})) ` +
        "of 2 candidate(s) that pass the constraints (strategy fastest)",
    );
  });

  it("keeps the last good figures through failed polls, logging once per streak, and drops them once too old", async () => {
    let failing = false;
    const flaky: ServiceClient<typeof RegistryService> = {
      ...registry.client,
      listModelStats: (request, options) =>
        failing ? Promise.reject(new Error("registry unreachable")) : registry.client.listModelStats(request, options),
    };
    const engine = await engineOn(flaky);
    await recordAttempts(registry, "digits-a", 200, 120);
    await recordAttempts(registry, "digits-b", 200, 8);
    expect(await poller?.pollOnce()).toBe(true);

    failing = true;
    now += 1000;
    expect(await poller?.pollOnce()).toBe(false);
    now += 1000;
    expect(await poller?.pollOnce()).toBe(false);
    expect(targetOf(await engine.decide({ profile: image }))).toBe("digits-b@1");
    expect(logged(logs, "live statistics poll failed; deciding on the last good figures until they are too old")).toHaveLength(1);

    now += 10_000;
    const stale = await engine.decide({ profile: image });
    expect(targetOf(stale)).toBe("digits-a@1");
    expect(reasonOfTarget(stale)).toBe("the lowest p50_latency_ms (5) of 2 candidate(s) that pass the constraints (strategy fastest)");

    failing = false;
    expect(await poller?.pollOnce()).toBe(true);
    expect(logged(logs, "live statistics poll recovered")).toEqual([expect.objectContaining({ failures: 2 })]);
    expect(targetOf(await engine.decide({ profile: image }))).toBe("digits-b@1");
    failing = true;
    await poller?.pollOnce();
    expect(logged(logs, "live statistics poll failed; deciding on the last good figures until they are too old")).toHaveLength(2);
  });

  it("polls on its own in the co-located engine (startDecisionEngine) and follows newly recorded figures", async () => {
    const engine = startDecisionEngine(registry.client, memoryLogger(logs), { liveStats: { intervalMs: 50 } });
    try {
      await engine.ready;
      const client = createDirectClient(DecisionService, engine.impl, { defaultTimeoutMs: 30_000 });
      expect(targetOf(await client.decide({ profile: image }))).toBe("digits-a@1");
      await recordAttempts(registry, "digits-a", 100, 300);
      await recordAttempts(registry, "digits-b", 100, 2);
      await eventually(async () => expect(targetOf(await client.decide({ profile: image }))).toBe("digits-b@1"));
    } finally {
      await engine.close();
    }
  });
});
