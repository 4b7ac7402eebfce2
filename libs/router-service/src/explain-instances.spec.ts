import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import {
  AnalyzerService,
  DecisionService,
  ExecutorService,
  InstanceHealth,
  PayloadSchema,
  PolicySchema,
  RegistryService,
  RouterService,
  type ExecuteRequest,
} from "@modelrouter/contracts";
import { createAnalyzerService, createLanguageDetector } from "@modelrouter/analyzer-service";
import { createDecisionService } from "@modelrouter/decision-service";
import type { WorkerPool } from "@modelrouter/executor-service/testing";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { compilePolicy, createModelCatalogue } from "@modelrouter/policy";
import { createRegistryService, openPgliteDatabase, openRegistryStore, type RegistryStore } from "@modelrouter/registry-service/testing";
import { createDirectClient, type ServiceClient, type ServiceImpl } from "@modelrouter/rpc-kit";
import { deadExecutor } from "./dead-executor.test-support.js";
import type { ExecutorInstance } from "./executor-instances.js";
import { createInstanceBreaker, DEFAULT_BREAKER_SETTINGS } from "./instance-breaker.js";
import { createInstanceLoad } from "./instance-load.js";
import { createRouterService, type Router } from "./router-service.js";
import { quiet, startZooExecutor } from "./zoo-executor.test-support.js";

const digit = loadSampleIndex().find((s) => s.kind === "mnist")!;
const image = create(PayloadSchema, { kind: { case: "image", value: { data: readFileSync(digit.path) } } });

describe("Explain shows every executor instance with its breaker's state, with a real analyzer, decision engine and executor", () => {
  let pool: WorkerPool;
  let store: RegistryStore;
  let router: Router;
  let client: ServiceClient<typeof RouterService>;
  let closeDead: () => void;
  const held: (() => void)[] = [];
  let holding = false;

  beforeAll(async () => {
    const started = await startZooExecutor();
    pool = started.pool;
    const holdingExecutor: ServiceImpl<typeof ExecutorService> = {
      execute: async (request: ExecuteRequest, ctx) => {
        if (holding) await new Promise<void>((go) => held.push(go));
        return started.impl.execute(request, ctx);
      },
    };
    const dead = await deadExecutor();
    closeDead = dead.close;
    const instances: ExecutorInstance[] = [
      { name: "127.0.0.1:1", client: dead.client },
      { name: "127.0.0.1:2", client: createDirectClient(ExecutorService, holdingExecutor, { defaultTimeoutMs: 10_000 }) },
    ];
    const compiled = compilePolicy(
      create(PolicySchema, { name: "digits", defaultRoute: { targets: [{ kind: { case: "model", value: { name: "digits-general" } } }] } }),
    );
    if (compiled.kind !== "compiled") throw new Error(JSON.stringify(compiled.violations));
    const catalogue = createModelCatalogue(loadDemoModels(), 1n);
    const decide = createDecisionService({ catalogue: { snapshot: () => ({ revision: 1n, catalogue, policies: [compiled.policy] }) }, random: () => 0.5 });
    store = await openRegistryStore({ db: await openPgliteDatabase(), logger: quiet });
    router = createRouterService({
      analyzer: createDirectClient(AnalyzerService, createAnalyzerService({ languageDetector: await createLanguageDetector() }), { defaultTimeoutMs: 10_000 }),
      decision: createDirectClient(DecisionService, decide, { defaultTimeoutMs: 10_000 }),
      executor: instances[1]!.client,
      executors: {
        list: () => instances,
        load: createInstanceLoad(),
        breaker: createInstanceBreaker(() => instances.map((i) => i.name), { ...DEFAULT_BREAKER_SETTINGS, consecutiveFailures: 2, baseEjectionMs: 60_000, maxEjectionMs: 60_000 }),
      },
      registry: createDirectClient(RegistryService, createRegistryService({ store, logger: quiet }), { defaultTimeoutMs: 10_000 }),
      logger: quiet,
      limits: { defaultDeadlineMs: 10_000, maxDeadlineMs: 30_000, maxAttempts: 3 },
      decisionLog: { sampleRate: 0, maxInFlight: 64, timeoutMs: 10_000 },
      // The power of two choices always draws the dead instance first.
      random: () => 0,
    });
    client = createDirectClient(RouterService, router.impl, { defaultTimeoutMs: 10_000 });
  }, 60_000);

  afterAll(async () => {
    holding = false;
    for (const go of held.splice(0)) go();
    await router?.close();
    await store?.close();
    await pool?.close();
    closeDead?.();
  });

  const instances = async () =>
    (await client.explain({ request: { payload: image } })).instances.map((i) => ({ instance: i.instance, health: i.health, inFlight: i.inFlight, reason: i.reason }));

  it("lists every instance HEALTHY at first, then the one that stopped answering as EJECTED with the reason", async () => {
    expect(await instances()).toEqual([
      { instance: "127.0.0.1:1", health: InstanceHealth.HEALTHY, inFlight: 0, reason: "" },
      { instance: "127.0.0.1:2", health: InstanceHealth.HEALTHY, inFlight: 0, reason: "" },
    ]);
    for (let i = 0; i < 2; i += 1) {
      const answer = await client.infer({ payload: image });
      expect(answer.attempts.map((a) => a.instance)).toEqual(["127.0.0.1:1", "127.0.0.1:2"]);
    }
    expect(await instances()).toEqual([
      {
        instance: "127.0.0.1:1",
        health: InstanceHealth.EJECTED,
        inFlight: 0,
        reason: "ejected for 60 s (1st ejection): 2 attempts in a row got no answer (last: UNAVAILABLE)",
      },
      { instance: "127.0.0.1:2", health: InstanceHealth.HEALTHY, inFlight: 0, reason: "" },
    ]);
    const answer = await client.infer({ payload: image });
    expect(answer.attempts.map((a) => a.instance)).toEqual(["127.0.0.1:2"]);
  });

  it("shows the router's calls in flight on each instance", async () => {
    holding = true;
    const inference = client.infer({ payload: image });
    while (held.length < 1) await new Promise((resolve) => setImmediate(resolve));
    expect((await instances()).map((i) => [i.instance, i.inFlight])).toEqual([
      ["127.0.0.1:1", 0],
      ["127.0.0.1:2", 1],
    ]);
    holding = false;
    for (const go of held.splice(0)) go();
    await inference;
  });
});
