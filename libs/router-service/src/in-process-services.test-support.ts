import { readFileSync } from "node:fs";
import { clone, create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  AnalyzerService,
  DecisionService,
  ExecutorService,
  type Model,
  ModelSchema,
  PayloadSchema,
  PolicySchema,
  RegistryService,
} from "@modelrouter/contracts";
import { createAnalyzerService, createLanguageDetector } from "@modelrouter/analyzer-service";
import { createDecisionService } from "@modelrouter/decision-service";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { type CompiledPolicy, compilePolicy, createModelCatalogue } from "@modelrouter/policy";
import { createRegistryService, openPgliteDatabase, openRegistryStore } from "@modelrouter/registry-service/testing";
import { createDirectClient, type ServiceClient, type ServiceImpl } from "@modelrouter/rpc-kit";
import { singleExecutor } from "./executor-instances.js";
import { createRouterService, type Router, type RouterDependencies } from "./router-service.js";
import { quiet, startZooExecutor } from "./zoo-executor.test-support.js";

/** A handwritten digit from the zoo's samples (its file and true label)… */
export const digitSample = loadSampleIndex().find((s) => s.kind === "mnist")!;

/** …as an image payload. */
export const digitImage = create(PayloadSchema, { kind: { case: "image", value: { data: readFileSync(digitSample.path) } } });

/** The zoo's models, and a copy of digits-lite whose file does not exist (it fails with UNAVAILABLE). */
export function catalogueModels(): Model[] {
  const models = loadDemoModels();
  const broken = clone(ModelSchema, models.find((m) => m.name === "digits-lite")!);
  broken.name = "digits-missing";
  if (broken.backend?.kind.case === "onnx") {
    broken.backend.kind.value.uri = "digits-missing/model.onnx";
    broken.backend.kind.value.sha256 = "";
  }
  return [...models, broken];
}

/** A policy compiled as the registry compiles it; a spec's policy that does not compile fails the spec. */
export function compiledPolicy(init: MessageInitShape<typeof PolicySchema>): CompiledPolicy {
  const result = compilePolicy(create(PolicySchema, init));
  if (result.kind !== "compiled") throw new Error(JSON.stringify(result.violations));
  return result.policy;
}

/** A route target naming a model, with a weight for weighted splits. */
export const modelTarget = (name: string, weight = 0) => ({ kind: { case: "model" as const, value: { name } }, weight });

/**
 * The services a router calls, real and in this process: the analyzer, a zoo executor (one ONNX worker), a
 * registry on a fresh PGlite database, and decision engines over {@link catalogueModels} and the policies a spec
 * gives. `close` stops them (close the routers first).
 */
export interface InProcessServices {
  readonly analyzer: ServiceClient<typeof AnalyzerService>;
  readonly registry: ServiceClient<typeof RegistryService>;
  readonly executorImpl: ServiceImpl<typeof ExecutorService>;
  /** A decision engine deciding by `policies` only, drawing `random` for its random choices. */
  decision(policies: readonly CompiledPolicy[], random?: () => number): ServiceClient<typeof DecisionService>;
  /** A router over these services (the executor is `executorImpl` unless given), with limits fit for specs. */
  router(policies: readonly CompiledPolicy[], options?: Partial<RouterDependencies> & { readonly executorImpl?: ServiceImpl<typeof ExecutorService> }): Router;
  close(): Promise<void>;
}

/** Starts the {@link InProcessServices}, with `extraModels` in the decision engines' catalogue besides the zoo's. */
export async function startInProcessServices(extraModels: readonly Model[] = []): Promise<InProcessServices> {
  const executor = await startZooExecutor();
  const store = await openRegistryStore({ db: await openPgliteDatabase(), logger: quiet });
  const registry = createDirectClient(RegistryService, createRegistryService({ store, logger: quiet }), { defaultTimeoutMs: 10_000 });
  const analyzer = createDirectClient(AnalyzerService, createAnalyzerService({ languageDetector: await createLanguageDetector() }), {
    defaultTimeoutMs: 10_000,
  });
  const catalogue = createModelCatalogue([...catalogueModels(), ...extraModels], 1n);
  const decision = (policies: readonly CompiledPolicy[], random: () => number = () => 0.5) =>
    createDirectClient(DecisionService, createDecisionService({ catalogue: { snapshot: () => ({ revision: 1n, catalogue, policies: [...policies] }) }, random }), {
      defaultTimeoutMs: 10_000,
    });
  return {
    analyzer,
    registry,
    executorImpl: executor.impl,
    decision,
    router(policies, options = {}) {
      const { executorImpl = executor.impl, ...rest } = options;
      return createRouterService({
        analyzer,
        decision: decision(policies),
        executors: singleExecutor(createDirectClient(ExecutorService, executorImpl, { defaultTimeoutMs: 10_000 })),
        registry,
        logger: quiet,
        limits: { defaultDeadlineMs: 10_000, maxDeadlineMs: 30_000, maxAttempts: 3 },
        decisionLog: { sampleRate: 1, maxInFlight: 64, timeoutMs: 10_000 },
        shadows: { maxInFlight: 4, maxDeadlineMs: 10_000 },
        ...rest,
      });
    },
    async close() {
      await store.close();
      await executor.pool.close();
    },
  };
}
