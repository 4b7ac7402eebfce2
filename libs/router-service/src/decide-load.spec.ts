import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import {
  AnalyzerService,
  DecisionService,
  ExecutorService,
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
import { createRouterService, type Router } from "./router-service.js";
import { quiet, startZooExecutor } from "./zoo-executor.test-support.js";

const digit = loadSampleIndex().find((s) => s.kind === "mnist")!;
const image = create(PayloadSchema, { kind: { case: "image", value: { data: readFileSync(digit.path) } } });

describe("the load the router sends with each decision, with a real analyzer, decision engine and executor", () => {
  let pool: WorkerPool;
  let store: RegistryStore;
  let router: Router;
  let client: ServiceClient<typeof RouterService>;
  /** The load of each Decide request the decision engine received, as [model, version, in flight]. */
  const loads: (readonly [string, string, number])[][] = [];
  /** Executor calls held until released. */
  const held: (() => void)[] = [];
  let holding = true;

  beforeAll(async () => {
    const started = await startZooExecutor();
    pool = started.pool;
    const executor = started.impl;
    const holdingExecutor: ServiceImpl<typeof ExecutorService> = {
      execute: async (request: ExecuteRequest, ctx) => {
        if (holding) await new Promise<void>((go) => held.push(go));
        return executor.execute(request, ctx);
      },
    };
    const compiled = compilePolicy(
      create(PolicySchema, { name: "digits", defaultRoute: { targets: [{ kind: { case: "model", value: { name: "digits-general" } } }] } }),
    );
    if (compiled.kind !== "compiled") throw new Error(JSON.stringify(compiled.violations));
    const catalogue = createModelCatalogue(loadDemoModels(), 1n);
    const decide = createDecisionService({ catalogue: { snapshot: () => ({ revision: 1n, catalogue, policies: [compiled.policy] }) }, random: () => 0.5 });
    const recordingDecide: ServiceImpl<typeof DecisionService> = {
      decide: (request, ctx) => {
        loads.push(request.load.map((entry) => [entry.model?.name ?? "", entry.model?.version ?? "", entry.inFlight] as const));
        return decide.decide(request, ctx);
      },
    };
    store = await openRegistryStore({ db: await openPgliteDatabase(), logger: quiet });
    router = createRouterService({
      analyzer: createDirectClient(AnalyzerService, createAnalyzerService({ languageDetector: await createLanguageDetector() }), { defaultTimeoutMs: 10_000 }),
      decision: createDirectClient(DecisionService, recordingDecide, { defaultTimeoutMs: 10_000 }),
      executor: createDirectClient(ExecutorService, holdingExecutor, { defaultTimeoutMs: 10_000 }),
      registry: createDirectClient(RegistryService, createRegistryService({ store, logger: quiet }), { defaultTimeoutMs: 10_000 }),
      logger: quiet,
      limits: { defaultDeadlineMs: 10_000, maxDeadlineMs: 30_000, maxAttempts: 3 },
      decisionLog: { sampleRate: 0, maxInFlight: 64, timeoutMs: 10_000 },
    });
    client = createDirectClient(RouterService, router.impl, { defaultTimeoutMs: 10_000 });
  }, 60_000);

  afterAll(async () => {
    holding = false;
    for (const go of held.splice(0)) go();
    await router?.close();
    await store?.close();
    await pool?.close();
  });

  it("carries the router's calls in flight per model version, and nothing once they have ended", async () => {
    const inferences = [client.infer({ payload: image }), client.infer({ payload: image })];
    while (held.length < 2) await new Promise((resolve) => setImmediate(resolve));
    await client.explain({ request: { payload: image } });
    expect(loads.at(-1)).toEqual([["digits-general", "1", 2]]);

    holding = false;
    for (const go of held.splice(0)) go();
    await Promise.all(inferences);
    await client.explain({ request: { payload: image } });
    expect(loads.at(-1)).toEqual([]);
  });
});
