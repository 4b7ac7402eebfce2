import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type RegistryService, RouterService, Strategy } from "@modelrouter/contracts";
import { loadDemoModels } from "@modelrouter/model-zoo";
import { createDirectClient, type ServiceClient } from "@modelrouter/rpc-kit";
import { type InProcessServices, compiledPolicy, digitImage as image, modelTarget as target, startInProcessServices } from "./in-process-services.test-support.js";
import type { IntervalTimer } from "./model-stats-reporter.js";
import type { Router } from "./router-service.js";

describe("live statistics through a router with a real analyzer, decision engine, executor and registry", () => {
  let services: InProcessServices;
  let registry: ServiceClient<typeof RegistryService>;
  let router: Router;
  let client: ServiceClient<typeof RouterService>;
  let timerStopped = false;

  beforeAll(async () => {
    services = await startInProcessServices();
    registry = services.registry;
    // The timer never fires by itself: the spec reports with flush() and close().
    const timer: IntervalTimer = () => () => {
      timerStopped = true;
    };
    router = services.router(
      [
        // digits-general answers; digits-lite mirrors every request.
        compiledPolicy({ name: "mirrored", defaultRoute: { targets: [target("digits-general")], shadows: [{ model: { name: "digits-lite" } }] } }),
        // A draw of 0.5 takes digits-missing (60 of 100), which fails; digits-general, the other arm, serves.
        compiledPolicy({ name: "failing", defaultRoute: { strategy: Strategy.WEIGHTED, targets: [target("digits-missing", 60), target("digits-general", 40)] } }),
      ],
      { modelStats: { intervalMs: 1000, reporter: "router-spec", timer } },
    );
    client = createDirectClient(RouterService, router.impl, { defaultTimeoutMs: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await router?.close();
    await services?.close();
  });

  const statsOf = async (model: string) => (await registry.listModelStats({ model })).stats;

  it("counts every Infer's attempt for the model served, and not the shadows'", async () => {
    const n = 7;
    for (let i = 0; i < n; i++) {
      const answer = await client.infer({ payload: image, policy: "mirrored" });
      expect(answer.model?.name).toBe("digits-general");
    }
    await router.shadows.close();
    await router.modelStats!.flush();

    const [general] = await statsOf("digits-general");
    const served = loadDemoModels().find((m) => m.name === "digits-general")!;
    expect([general?.model?.version, general?.requests, general?.errors]).toEqual([served.version, BigInt(n), 0n]);
    expect(general!.instances.map((i) => [i.instance, i.requests])).toEqual([["", BigInt(n)]]);
    expect(general!.p50LatencyMs).toBeGreaterThan(0);
    expect(general!.meanLatencyMs).toBeGreaterThan(0);
    // The shadow may be listed for its agreement with the primary (from the decision log), never with attempts.
    const shadow = await statsOf("digits-lite");
    expect(shadow.map((s) => [s.requests, s.errors, s.instances.length])).toEqual(shadow.map(() => [0n, 0n, 0]));
  });

  it("counts a failed attempt under its model and code, and the fallback that served under its own", async () => {
    const before = (await statsOf("digits-general"))[0]?.requests ?? 0n;
    const n = 3;
    for (let i = 0; i < n; i++) {
      const answer = await client.infer({ payload: image, policy: "failing" });
      expect([answer.model?.name, answer.fallbackUsed]).toEqual(["digits-general", true]);
    }
    await router.modelStats!.flush();

    const [missing] = await statsOf("digits-missing");
    expect([missing?.requests, missing?.errors, missing?.errorsByCode]).toEqual([BigInt(n), BigInt(n), { UNAVAILABLE: BigInt(n) }]);
    expect((await statsOf("digits-general"))[0]?.requests).toBe(before + BigInt(n));
  });

  it("reports what is left when the router closes", async () => {
    const before = (await statsOf("digits-general"))[0]?.requests ?? 0n;
    await client.infer({ payload: image, policy: "mirrored" });
    await router.close();
    expect(timerStopped).toBe(true);
    expect((await statsOf("digits-general"))[0]?.requests).toBe(before + 1n);
  });
});
