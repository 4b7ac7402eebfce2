import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { clone, create } from "@bufbuild/protobuf";
import {
  AnalyzerService,
  DecisionService,
  ExecutorService,
  type Model,
  ModelSchema,
  PayloadSchema,
  PolicySchema,
  RegistryService,
  RouterService,
  Strategy,
} from "@modelrouter/contracts";
import { createAnalyzerService, createLanguageDetector } from "@modelrouter/analyzer-service";
import { createDecisionService } from "@modelrouter/decision-service";
import type { WorkerPool } from "@modelrouter/executor-service/testing";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { compilePolicy, createModelCatalogue } from "@modelrouter/policy";
import { createRegistryService, openPgliteDatabase, openRegistryStore, type RegistryStore } from "@modelrouter/registry-service/testing";
import { createDirectClient, type ServiceClient } from "@modelrouter/rpc-kit";
import { createRouterService, type Router } from "./router-service.js";
import { quiet, startZooExecutor } from "./zoo-executor.test-support.js";

const digit = loadSampleIndex().find((s) => s.kind === "mnist")!;
const image = create(PayloadSchema, { kind: { case: "image", value: { data: readFileSync(digit.path) } } });

/** The zoo's models, and a copy of digits-lite whose file does not exist (it fails with UNAVAILABLE). */
function catalogueModels(): Model[] {
  const models = loadDemoModels();
  const broken = clone(ModelSchema, models.find((m) => m.name === "digits-lite")!);
  broken.name = "digits-missing";
  if (broken.backend?.kind.case === "onnx") {
    broken.backend.kind.value.uri = "digits-missing/model.onnx";
    broken.backend.kind.value.sha256 = "";
  }
  return [...models, broken];
}

/** A weighted split between two arms, drawn at random (no sticky key). */
function splitPolicy(name: string, arms: readonly [string, number][]) {
  const result = compilePolicy(
    create(PolicySchema, {
      name,
      defaultRoute: {
        strategy: Strategy.WEIGHTED,
        targets: arms.map(([model, weight]) => ({ kind: { case: "model" as const, value: { name: model } }, weight })),
      },
    }),
  );
  if (result.kind !== "compiled") throw new Error(JSON.stringify(result.violations));
  return result.policy;
}

describe("the propensity in the decision log, through a router with a real analyzer, decision engine, executor and registry", () => {
  let pool: WorkerPool;
  let store: RegistryStore;
  let registry: ServiceClient<typeof RegistryService>;
  let router: Router;
  let client: ServiceClient<typeof RouterService>;

  beforeAll(async () => {
    const executor = await startZooExecutor();
    pool = executor.pool;
    store = await openRegistryStore({ db: await openPgliteDatabase(), logger: quiet });
    registry = createDirectClient(RegistryService, createRegistryService({ store, logger: quiet }), { defaultTimeoutMs: 10_000 });
    const analyzer = createDirectClient(AnalyzerService, createAnalyzerService({ languageDetector: await createLanguageDetector() }), {
      defaultTimeoutMs: 10_000,
    });
    // A draw of 0.5 takes the first arm of each split: 0.5 × 100 falls in its weight (70, or 60).
    const policies = [
      splitPolicy("served-split", [["digits-general", 70], ["digits-lite", 30]]),
      splitPolicy("failing-split", [["digits-missing", 60], ["digits-general", 40]]),
    ];
    const catalogue = createModelCatalogue(catalogueModels(), 1n);
    const decide = createDecisionService({ catalogue: { snapshot: () => ({ revision: 1n, catalogue, policies }) }, random: () => 0.5 });
    router = createRouterService({
      analyzer,
      decision: createDirectClient(DecisionService, decide, { defaultTimeoutMs: 10_000 }),
      executor: createDirectClient(ExecutorService, executor.impl, { defaultTimeoutMs: 10_000 }),
      registry,
      logger: quiet,
      limits: { defaultDeadlineMs: 10_000, maxDeadlineMs: 30_000, maxAttempts: 3 },
      decisionLog: { sampleRate: 1, maxInFlight: 64, timeoutMs: 10_000 },
      shadows: { maxInFlight: 4, maxDeadlineMs: 10_000 },
    });
    client = createDirectClient(RouterService, router.impl, { defaultTimeoutMs: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await router?.close();
    await store?.close();
    await pool?.close();
  });

  const inferAndRecord = async (requestId: string, policy: string) => {
    const answer = await client.infer({ requestId, payload: image, policy });
    await router.recorder.settled(answer.requestId);
    return { answer, record: (await registry.getDecision({ requestId })).decision! };
  };

  it("records the probability of the served arm's choice, its share of the split, and ListDecisions returns it", async () => {
    const { answer, record } = await inferAndRecord("propensity-served-1", "served-split");
    expect(answer.model?.name).toBe("digits-general");
    expect([record.model?.name, record.fallbackUsed, record.propensity]).toEqual(["digits-general", false, 0.7]);
    const listed = (await registry.listDecisions({ policy: "served-split" })).decisions;
    expect(listed.map((d) => [d.requestId, d.propensity])).toEqual([["propensity-served-1", 0.7]]);
  });

  it("records the decision's propensity, of the target as decided, when a fallback served", async () => {
    const { answer, record } = await inferAndRecord("propensity-fallback-1", "failing-split");
    expect(answer.model?.name).toBe("digits-general");
    expect(record.attempted.map((m) => m.name)).toEqual(["digits-missing", "digits-general"]);
    expect([record.fallbackUsed, record.propensity]).toEqual([true, 0.6]);
  });
});
