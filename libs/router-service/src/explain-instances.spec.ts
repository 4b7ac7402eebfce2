import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type ExecuteRequest, ExecutorService, InstanceHealth, RouterService } from "@modelrouter/contracts";
import { createDirectClient, type ServiceClient, type ServiceImpl } from "@modelrouter/rpc-kit";
import { deadExecutor } from "./dead-executor.test-support.js";
import type { ExecutorInstance } from "./executor-instances.js";
import { type InProcessServices, compiledPolicy, digitImage as image, modelTarget, startInProcessServices } from "./in-process-services.test-support.js";
import { createInstanceBreaker, DEFAULT_BREAKER_SETTINGS } from "./instance-breaker.js";
import { createInstanceLoad } from "./instance-load.js";
import type { Router } from "./router-service.js";
import { wholeAnswerExecutor } from "./whole-answer-executor.test-support.js";

describe("Explain shows every executor instance with its breaker's state, with a real analyzer, decision engine and executor", () => {
  let services: InProcessServices;
  let router: Router;
  let client: ServiceClient<typeof RouterService>;
  let closeDead: () => void;
  const held: (() => void)[] = [];
  let holding = false;

  beforeAll(async () => {
    services = await startInProcessServices();
    const holdingExecutor: ServiceImpl<typeof ExecutorService> = wholeAnswerExecutor(async (request: ExecuteRequest, ctx) => {
      if (holding) await new Promise<void>((go) => held.push(go));
      return services.executorImpl.execute(request, ctx);
    });
    const dead = await deadExecutor();
    closeDead = dead.close;
    const instances: ExecutorInstance[] = [
      { name: "127.0.0.1:1", client: dead.client },
      { name: "127.0.0.1:2", client: createDirectClient(ExecutorService, holdingExecutor, { defaultTimeoutMs: 10_000 }) },
    ];
    router = services.router([compiledPolicy({ name: "digits", defaultRoute: { targets: [modelTarget("digits-general")] } })], {
      executors: {
        list: () => instances,
        load: createInstanceLoad(),
        breaker: createInstanceBreaker(() => instances.map((i) => i.name), { ...DEFAULT_BREAKER_SETTINGS, consecutiveFailures: 2, baseEjectionMs: 60_000, maxEjectionMs: 60_000 }),
      },
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
    await services?.close();
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
