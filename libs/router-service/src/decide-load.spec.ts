import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type DecisionService, type ExecuteRequest, type ExecutorService, RouterService } from "@modelrouter/contracts";
import { createDirectClient, type ServiceClient, type ServiceImpl } from "@modelrouter/rpc-kit";
import { type InProcessServices, compiledPolicy, digitImage as image, modelTarget, startInProcessServices } from "./in-process-services.test-support.js";
import type { Router } from "./router-service.js";
import { wholeAnswerExecutor } from "./whole-answer-executor.test-support.js";

describe("the load the router sends with each decision, with a real analyzer, decision engine and executor", () => {
  let services: InProcessServices;
  let router: Router;
  let client: ServiceClient<typeof RouterService>;
  /** The load of each Decide request the decision engine received, as [model, version, in flight]. */
  const loads: (readonly [string, string, number])[][] = [];
  /** Executor calls held until released. */
  const held: (() => void)[] = [];
  let holding = true;

  beforeAll(async () => {
    services = await startInProcessServices();
    const executor = services.executorImpl;
    const holdingExecutor: ServiceImpl<typeof ExecutorService> = wholeAnswerExecutor(async (request: ExecuteRequest, ctx) => {
      if (holding) await new Promise<void>((go) => held.push(go));
      return executor.execute(request, ctx);
    });
    const policies = [compiledPolicy({ name: "digits", defaultRoute: { targets: [modelTarget("digits-general")] } })];
    const decide = services.decision(policies);
    const recordingDecide: ServiceClient<typeof DecisionService> = {
      decide: (request, options) => {
        loads.push((request.load ?? []).map((entry) => [entry.model?.name ?? "", entry.model?.version ?? "", entry.inFlight ?? 0] as const));
        return decide.decide(request, options);
      },
    };
    router = services.router(policies, {
      decision: recordingDecide,
      executorImpl: holdingExecutor,
      decisionLog: { sampleRate: 0, maxInFlight: 64, timeoutMs: 10_000 },
    });
    client = createDirectClient(RouterService, router.impl, { defaultTimeoutMs: 10_000 });
  }, 60_000);

  afterAll(async () => {
    holding = false;
    for (const go of held.splice(0)) go();
    await router?.close();
    await services?.close();
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
