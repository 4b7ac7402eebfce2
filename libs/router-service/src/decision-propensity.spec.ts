import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type RegistryService, RouterService, Strategy } from "@modelrouter/contracts";
import { createDirectClient, type ServiceClient } from "@modelrouter/rpc-kit";
import { type InProcessServices, compiledPolicy, digitImage as image, modelTarget, startInProcessServices } from "./in-process-services.test-support.js";
import type { Router } from "./router-service.js";

/** A weighted split between two arms, drawn at random (no sticky key). */
function splitPolicy(name: string, arms: readonly [string, number][]) {
  return compiledPolicy({ name, defaultRoute: { strategy: Strategy.WEIGHTED, targets: arms.map(([model, weight]) => modelTarget(model, weight)) } });
}

describe("the propensity in the decision log, through a router with a real analyzer, decision engine, executor and registry", () => {
  let services: InProcessServices;
  let registry: ServiceClient<typeof RegistryService>;
  let router: Router;
  let client: ServiceClient<typeof RouterService>;

  beforeAll(async () => {
    services = await startInProcessServices();
    registry = services.registry;
    // A draw of 0.5 takes the first arm of each split: 0.5 × 100 falls in its weight (70, or 60).
    router = services.router([
      splitPolicy("served-split", [["digits-general", 70], ["digits-lite", 30]]),
      splitPolicy("failing-split", [["digits-missing", 60], ["digits-general", 40]]),
    ]);
    client = createDirectClient(RouterService, router.impl, { defaultTimeoutMs: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await router?.close();
    await services?.close();
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
