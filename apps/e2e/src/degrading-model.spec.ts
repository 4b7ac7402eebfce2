import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fromJson } from "@bufbuild/protobuf";
import { PolicySchema, RegistryService, RouterService } from "@modelrouter/contracts";
import { loadDemoModels } from "@modelrouter/model-zoo";
import { createGrpcChannel, createGrpcClient, type GrpcChannel, type ServiceClient } from "@modelrouter/rpc-kit";
import { appStarter, createProcessGroup, freePort, type ProcessGroup, type RunningProcess } from "@modelrouter/testing";
import { digitPayload as payload } from "./two-executors.js";

const TARGET = "digits-lite";
const FALLBACK = "digits-general";
const PROBE_SHARE = 0.1;
const HOLD_S = 5;
const FAULTS = JSON.stringify([{ model: TARGET, version: "", abort: { share: 0.5, code: "UNAVAILABLE" } }]);

const policy = fromJson(PolicySchema, {
  name: "digits",
  when: 'input.modality == "image"',
  defaultRoute: {
    targets: [{ model: { name: TARGET } }],
    fallbacks: [{ model: { name: FALLBACK } }],
    guard: { maxErrorRate: 0.1, minSamples: 20, hold: `${HOLD_S}s`, probeShare: PROBE_SHARE },
  },
});

/** One request through the router: when it was sent (ms since the phase began), its first attempt's model, and whether it was served. */
interface Outcome {
  readonly atMs: number;
  readonly first: string;
  readonly served: boolean;
}


describe("a guarded route whose target degrades (issue 11: a degrading model loses its traffic and regains it)", () => {
  let group: ProcessGroup;
  let dataDir: string;
  const channels: GrpcChannel[] = [];
  let router: ServiceClient<typeof RouterService>;
  let executor: RunningProcess;
  let startExecutor: (faults: string) => Promise<RunningProcess>;

  beforeAll(async () => {
    group = createProcessGroup();
    dataDir = await mkdtemp(join(tmpdir(), "modelrouter-degrading-"));
    const address = async () => `127.0.0.1:${await freePort()}`;
    const [registryAt, analyzerAt, decisionAt, routerAt, executorAt] = await Promise.all(Array.from({ length: 5 }, address));
    const start = appStarter(group);
    startExecutor = (faults) =>
      start("executor", "executor", {
        MODELROUTER_EXECUTOR_LISTEN: executorAt!,
        MODELROUTER_REGISTRY_ADDRESS: registryAt!,
        MODELROUTER_EXECUTOR_WORKERS: "1",
        ...(faults === "" ? {} : { MODELROUTER_EXECUTOR_FAULTS: faults }),
      });
    await start("registry", "registry", { MODELROUTER_REGISTRY_LISTEN: registryAt!, MODELROUTER_REGISTRY_DATA_DIR: join(dataDir, "registry") });
    [, executor] = await Promise.all([
      start("analyzer", "analyzer", { MODELROUTER_ANALYZER_LISTEN: analyzerAt! }),
      startExecutor(FAULTS),
      start("decision-engine", "decision-engine", {
        MODELROUTER_DECISION_LISTEN: decisionAt!,
        MODELROUTER_REGISTRY_ADDRESS: registryAt!,
        MODELROUTER_DECISION_HEALTH_WINDOW: "10s",
      }),
    ]);
    await start("router", "router", {
      MODELROUTER_ROUTER_LISTEN: routerAt!,
      MODELROUTER_ROUTER_HTTP_LISTEN: "off",
      MODELROUTER_ANALYZER_ADDRESS: analyzerAt!,
      MODELROUTER_DECISION_ADDRESS: decisionAt!,
      MODELROUTER_REGISTRY_ADDRESS: registryAt!,
      MODELROUTER_EXECUTOR_ADDRESS: executorAt!,
      MODELROUTER_STATS_INTERVAL: "500ms",
    });
    const channel = (at: string) => {
      const created = createGrpcChannel(at);
      channels.push(created);
      return created;
    };
    const registry = createGrpcClient(RegistryService, channel(registryAt!), { defaultTimeoutMs: 20_000 });
    router = createGrpcClient(RouterService, channel(routerAt!), { defaultTimeoutMs: 20_000 });
    for (const name of [TARGET, FALLBACK]) await registry.registerModel({ model: loadDemoModels().find((m) => m.name === name)! });
    await registry.applyPolicy({ policy });
    const end = Date.now() + 30_000;
    while ((await router.infer({ payload }).catch(() => undefined))?.policy !== "digits") {
      if (Date.now() > end) throw new Error("the router never routed by the digits policy");
    }
  }, 180_000);

  afterAll(async () => {
    for (const c of channels) c.close();
    await group?.stopAll("SIGTERM", 20_000).catch(() => undefined);
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  /** Sends requests one after another, two at a time, until `done` says so (or `maxMs` passed). */
  const drive = async (maxMs: number, done: (outcomes: readonly Outcome[]) => boolean): Promise<Outcome[]> => {
    const outcomes: Outcome[] = [];
    const began = Date.now();
    const lane = async () => {
      while (Date.now() - began < maxMs && !done(outcomes)) {
        const atMs = Date.now() - began;
        try {
          const answer = await router.infer({ payload });
          outcomes.push({ atMs, first: answer.attempts[0]?.model?.name ?? "", served: answer.outputs.length > 0 });
        } catch {
          outcomes.push({ atMs, first: "", served: false });
        }
      }
    };
    await Promise.all([lane(), lane()]);
    return outcomes.sort((a, b) => a.atMs - b.atMs);
  };

  /** The time of the first request from which at least `share` of the next `run` requests went first to `model`. */
  const settledAt = (outcomes: readonly Outcome[], model: string, run: number, share: number): number | undefined => {
    for (let i = 0; i + run <= outcomes.length; i++) {
      const window = outcomes.slice(i, i + run);
      if (window.filter((o) => o.first === model).length / run >= share) return outcomes[i]?.atMs;
    }
    return undefined;
  };

  let movedAfterMs: number | undefined;

  it("keeps ≥ 99 % of requests served while the target fails half its requests, and moves the traffic to the fallback within 5 s", async () => {
    const outcomes = await drive(20_000, (o) => o.length > 0 && (o.at(-1)?.atMs ?? 0) > 12_000);
    const served = outcomes.filter((o) => o.served).length / outcomes.length;
    movedAfterMs = outcomes.find((o) => o.first === FALLBACK)?.atMs;
    const settled = settledAt(outcomes, FALLBACK, 40, 0.8);
    const after = outcomes.filter((o) => settled !== undefined && o.atMs >= settled);
    const probes = after.filter((o) => o.first === TARGET).length / Math.max(1, after.length);
    process.stdout.write(
      `degrading-model: ${outcomes.length} requests, ${(served * 100).toFixed(2)} % served; first request routed to ${FALLBACK} after ${movedAfterMs} ms, ` +
        `≥ 80 % of every 40 from ${settled} ms; ` +
        `share still sent to ${TARGET} afterwards ${(probes * 100).toFixed(1)} % (probe_share ${PROBE_SHARE * 100} %)\n`,
    );
    expect(served).toBeGreaterThanOrEqual(0.99);
    expect(movedAfterMs).toBeDefined();
    expect(movedAfterMs).toBeLessThanOrEqual(5_000);
    expect(settled).toBeLessThanOrEqual(5_000);
    expect(probes).toBeGreaterThan(0);
    expect(probes).toBeLessThan(PROBE_SHARE * 2.5);
  }, 60_000);

  it("gives the target its traffic back after hold once it answers again (restarted without faults)", async () => {
    expect(movedAfterMs).toBeDefined();
    const faultEnded = Date.now();
    await executor.stop("SIGTERM", 20_000);
    executor = await startExecutor("");
    const restartMs = Date.now() - faultEnded;
    const outcomes = await drive(60_000, (o) => settledAt(o, TARGET, 30, 1) !== undefined);
    const returnedAfterMs = settledAt(outcomes, TARGET, 30, 1);
    const served = outcomes.filter((o) => o.served).length / outcomes.length;
    process.stdout.write(
      `degrading-model: after the restart, traffic returned to ${TARGET} ${returnedAfterMs} ms after the executor was ready again (restart took ${restartMs} ms; ${outcomes.length} requests, ${(served * 100).toFixed(2)} % served)\n`,
    );
    expect(returnedAfterMs).toBeDefined();
    expect(returnedAfterMs).toBeGreaterThanOrEqual(0);
    expect(outcomes.filter((o) => o.first === FALLBACK).length).toBeGreaterThan(0);
    expect(served).toBeGreaterThanOrEqual(0.99);
  }, 90_000);
});
