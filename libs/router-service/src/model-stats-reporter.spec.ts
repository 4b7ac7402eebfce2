import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { RegistryService, type ModelStats } from "@modelrouter/contracts";
import { createRegistryService, openPgliteDatabase, openRegistryStore, type RegistryStore } from "@modelrouter/registry-service/testing";
import { Code, RpcError, createDirectClient, type ServiceClient, type ServiceImpl } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { createModelStatsCollector } from "./model-stats-collector.js";
import { createModelStatsReporter, type IntervalTimer } from "./model-stats-reporter.js";

/** A timer the spec fires by hand. */
function manualTimer() {
  const state = { everyMs: 0, stopped: false, tick: (): void => undefined };
  const timer: IntervalTimer = (everyMs, tick) => {
    Object.assign(state, { everyMs, tick });
    return () => {
      state.stopped = true;
    };
  };
  return { timer, state, fire: () => state.tick() };
}

/** A real registry whose RecordModelStats fails with `failWith` while it is set, and which notes every call's size. */
function registryThatCanFail(impl: ServiceImpl<typeof RegistryService>) {
  const control = { failWith: undefined as Code | undefined, deltasPerCall: [] as number[] };
  const wrapped: ServiceImpl<typeof RegistryService> = {
    ...impl,
    recordModelStats: (request, ctx) => {
      control.deltasPerCall.push(request.deltas.length);
      if (control.failWith !== undefined) return Promise.reject(new RpcError({ code: control.failWith, message: "the registry is restarting" }));
      return impl.recordModelStats(request, ctx);
    },
  };
  return { control, client: createDirectClient(RegistryService, wrapped, { defaultTimeoutMs: 10_000 }) };
}

describe("the live statistics reporter, against a real registry", () => {
  let store: RegistryStore;
  let impl: ServiceImpl<typeof RegistryService>;
  let registry: ServiceClient<typeof RegistryService>;
  const warnings: string[] = [];
  const logger = createLogger({
    service: "test",
    level: "warn",
    write: (line) => {
      warnings.push(line);
    },
  });

  beforeAll(async () => {
    store = await openRegistryStore({ db: await openPgliteDatabase(), logger: createLogger({ service: "test", write: () => undefined }) });
    impl = createRegistryService({ store, logger });
    registry = createDirectClient(RegistryService, impl, { defaultTimeoutMs: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await store?.close();
  });

  const statsOf = async (model: string): Promise<ModelStats[]> => (await registry.listModelStats({ model })).stats;

  function start(client: ServiceClient<typeof RegistryService>) {
    const collector = createModelStatsCollector({ maxKeys: 100 });
    const timer = manualTimer();
    const reporter = createModelStatsReporter({ collector, registry: client, logger, reporter: "router-a", intervalMs: 1000, timeoutMs: 5000, timer: timer.timer });
    return { collector, timer, reporter };
  }

  it("sends the interval's counts on each tick of its timer, and the registry adds them up per model version and instance", async () => {
    const { collector, timer, reporter } = start(registry);
    expect(timer.state.everyMs).toBe(1000);
    const v1 = { name: "reported-model", version: "1.0.0" };
    collector.observe(v1, "10.0.0.5:50055", Code.OK, 3);
    collector.observe(v1, "10.0.0.5:50055", Code.OK, 5);
    collector.observe(v1, "10.0.0.6:50055", Code.UNAVAILABLE, 200);
    timer.fire();
    await reporter.idle();
    expect(reporter.stats()).toMatchObject({ reports: 1, deltasSent: 2, failures: 0 });

    collector.observe(v1, "10.0.0.5:50055", Code.OK, 4);
    timer.fire();
    await reporter.idle();
    const [stats] = await statsOf("reported-model");
    expect(stats).toMatchObject({ requests: 4n, errors: 1n, errorsByCode: { UNAVAILABLE: 1n } });
    expect(stats!.errorRate).toBeCloseTo(0.25, 9);
    expect(stats!.meanLatencyMs).toBeCloseTo(212 / 4, 9);
    expect(stats!.instances.map((i) => [i.instance, Number(i.requests), Number(i.errors)]).sort()).toEqual([
      ["10.0.0.5:50055", 3, 0],
      ["10.0.0.6:50055", 1, 1],
    ]);
    expect(reporter.stats()).toMatchObject({ reports: 2, deltasSent: 3 });
    await reporter.close();
  });

  it("sends nothing for an interval without attempts", async () => {
    const { control, client } = registryThatCanFail(impl);
    const { timer, reporter } = start(client);
    timer.fire();
    await reporter.idle();
    expect(control.deltasPerCall).toEqual([]);
    await reporter.close();
  });

  it("sends a report that failed once more with the next interval's, then drops it after a second failure", async () => {
    const { control, client } = registryThatCanFail(impl);
    const { collector, timer, reporter } = start(client);
    const model = { name: "flaky-registry-model", version: "1.0.0" };

    control.failWith = Code.UNAVAILABLE;
    collector.observe(model, "", Code.OK, 1);
    collector.observe(model, "", Code.OK, 1);
    timer.fire();
    await reporter.idle();
    control.failWith = undefined;
    collector.observe(model, "", Code.OK, 1);
    timer.fire();
    await reporter.idle();
    expect(control.deltasPerCall).toEqual([1, 2]);
    expect((await statsOf(model.name))[0]?.requests).toBe(3n);

    control.failWith = Code.DEADLINE_EXCEEDED;
    collector.observe(model, "", Code.OK, 1);
    timer.fire();
    await reporter.idle();
    collector.observe(model, "", Code.OK, 1);
    collector.observe(model, "", Code.OK, 1);
    timer.fire();
    await reporter.idle();
    control.failWith = undefined;
    collector.observe(model, "", Code.OK, 1);
    timer.fire();
    await reporter.idle();
    expect(control.deltasPerCall).toEqual([1, 2, 1, 2, 2]);
    // The first failed interval (1 attempt) was tried twice and dropped; the second (2) went with the third (1).
    expect((await statsOf(model.name))[0]?.requests).toBe(6n);
    expect(reporter.stats()).toMatchObject({ reports: 2, failures: 3, deltasDropped: 1 });
    expect(warnings.some((line) => line.includes("could not report to the registry"))).toBe(true);
    await reporter.close();
  });

  it("drops at once a report the registry refuses as invalid (a retry cannot mend it), and goes on with the next", async () => {
    const { control, client } = registryThatCanFail(impl);
    const { collector, timer, reporter } = start(client);
    collector.observe({ name: "Not A Model Name!", version: "1.0.0" }, "", Code.OK, 1);
    timer.fire();
    await reporter.idle();
    collector.observe({ name: "after-a-refusal", version: "1.0.0" }, "", Code.OK, 1);
    timer.fire();
    await reporter.idle();
    expect(control.deltasPerCall).toEqual([1, 1]);
    expect((await statsOf("after-a-refusal"))[0]?.requests).toBe(1n);
    expect(reporter.stats()).toMatchObject({ reports: 1, failures: 1, deltasDropped: 1 });
    await reporter.close();
  });

  it("sends nothing on a tick while a report is in flight: the counts wait for the next tick", async () => {
    // The registry holds its first RecordModelStats call until the spec releases it.
    const held: (() => void)[] = [];
    let calls = 0;
    const slow: ServiceImpl<typeof RegistryService> = {
      ...impl,
      recordModelStats: async (request, ctx) => {
        calls += 1;
        if (calls === 1) await new Promise<void>((go) => held.push(go));
        return impl.recordModelStats(request, ctx);
      },
    };
    const { control, client } = registryThatCanFail(slow);
    const { collector, timer, reporter } = start(client);
    const model = { name: "slow-registry-model", version: "1.0.0" };
    collector.observe(model, "", Code.OK, 1);
    timer.fire();
    collector.observe(model, "", Code.OK, 1);
    collector.observe(model, "", Code.OK, 1);
    timer.fire();
    expect(control.deltasPerCall).toEqual([1]);
    while (held.length === 0) await new Promise((go) => setImmediate(go));
    held.pop()!();
    await reporter.idle();
    expect((await statsOf(model.name))[0]?.requests).toBe(1n);
    timer.fire();
    await reporter.idle();
    expect(control.deltasPerCall).toEqual([1, 1]);
    expect((await statsOf(model.name))[0]?.requests).toBe(3n);
    await reporter.close();
  });

  it("sends what is left when closed, stops its timer, and sends nothing after", async () => {
    const { control, client } = registryThatCanFail(impl);
    const { collector, timer, reporter } = start(client);
    collector.observe({ name: "closing-model", version: "1.0.0" }, "", Code.OK, 1);
    await reporter.close();
    expect(timer.state.stopped).toBe(true);
    expect((await statsOf("closing-model"))[0]?.requests).toBe(1n);
    collector.observe({ name: "closing-model", version: "1.0.0" }, "", Code.OK, 1);
    timer.fire();
    await reporter.idle();
    expect(control.deltasPerCall).toEqual([1]);
  });

  it("gives up on closing without a second try when the registry fails then, and never rejects", async () => {
    const { control, client } = registryThatCanFail(impl);
    const { collector, reporter } = start(client);
    control.failWith = Code.UNAVAILABLE;
    collector.observe({ name: "closing-model-2", version: "1.0.0" }, "", Code.OK, 1);
    await expect(reporter.close()).resolves.toBeUndefined();
    expect(control.deltasPerCall).toEqual([1]);
    expect(reporter.stats()).toMatchObject({ failures: 1, deltasDropped: 1 });
  });
});
