import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { DecisionRecordSchema, Modality, ModelSchema, PolicySchema, RegistryService } from "@modelrouter/contracts";
import { type CompiledPolicy, compilePolicy } from "@modelrouter/policy";
import { createRegistryService, openPgliteDatabase, openRegistryStore, type RegistryStore } from "@modelrouter/registry-service/testing";
import { createDirectClient, type ServiceClient } from "@modelrouter/rpc-kit";
import { logged, memoryLogger } from "./decision.test-support.js";
import { type HealthPoller, createHealthPoller } from "./index.js";

/** The shared clock of the registry and the decision engine: 40 s into a minute. */
let clockMs = Date.UTC(2026, 0, 15, 12, 0, 40);
const T0 = clockMs;

function guardedPolicy(): CompiledPolicy {
  const result = compilePolicy(
    create(PolicySchema, {
      name: "digits",
      rules: [
        {
          name: "lite",
          when: "true",
          route: {
            targets: [{ kind: { case: "model", value: { name: "digits-lite" } } }],
            fallbacks: [{ kind: { case: "model", value: { name: "digits-general" } } }],
            guard: { maxErrorRate: 0.1, minSamples: 20, hold: { seconds: 30n } },
          },
        },
        {
          name: "quality",
          when: "false",
          route: {
            targets: [{ kind: { case: "model", value: { name: "digits-quality" } } }],
            guard: { minAccuracy: 0.9, minSamples: 20, hold: { seconds: 0n } },
          },
        },
      ],
    }),
  );
  if (result.kind !== "compiled") throw new Error(JSON.stringify(result.violations));
  return result.policy;
}

const model = (name: string) => create(ModelSchema, { name, version: "1", modality: Modality.IMAGE });

describe("the health poller (guard states from a real registry's figures)", () => {
  let store: RegistryStore;
  let registry: ServiceClient<typeof RegistryService>;
  let poller: HealthPoller;
  const logs: string[] = [];
  const policies = [guardedPolicy()];

  beforeAll(async () => {
    store = await openRegistryStore({ db: await openPgliteDatabase(), logger: memoryLogger([]), now: () => new Date(clockMs) });
    registry = createDirectClient(RegistryService, createRegistryService({ store, logger: memoryLogger([]) }), { defaultTimeoutMs: 30_000 });
    poller = createHealthPoller({
      registry,
      catalogue: { snapshot: () => ({ revision: 1n, catalogue: undefined as never, policies }) },
      logger: memoryLogger(logs),
      clock: () => clockMs,
      start: false,
      windowMs: 30_000,
      reanchorMs: 3 * 60_000,
    });
  }, 60_000);

  afterAll(async () => {
    await poller?.close();
    await store?.close();
  });

  /** Routers report `requests` attempts of `name`, `errors` of them UNAVAILABLE, in the current minute. */
  const report = (name: string, requests: number, errors: number) =>
    registry.recordModelStats({
      reporter: "router-a",
      deltas: [{ model: { name, version: "1" }, startTime: timestampFromMs(clockMs), requests: BigInt(requests), errorsByCode: errors === 0 ? {} : { 14: BigInt(errors) } }],
    });

  const verdict = (rule: string, name: string) => poller.view()?.("digits", rule, model(name));

  it("degrades a target whose error rate over the health window crosses max_error_rate, naming the figures", async () => {
    expect(await poller.pollOnce()).toBe(true);
    expect(poller.view()).toBeUndefined();
    await report("digits-lite", 40, 20);
    await report("digits-general", 40, 0);
    clockMs += 1000;
    await poller.pollOnce();
    expect(verdict("lite", "digits-lite")).toEqual({
      degraded: true,
      reason: "error rate 0.5 over 40 attempts > max_error_rate 0.1 (degraded for at least hold 30 s)",
    });
    expect(verdict("lite", "digits-general")).toBeUndefined();
    expect(logged(logs, "guarded model degraded: traffic moves to the other candidates")).toEqual([
      expect.objectContaining({ policy: "digits", rule: "lite", model: "digits-lite@1" }),
    ]);
  });

  it("keeps it degraded through the hold and while probes are too few, then recovers once the failures left the window", async () => {
    clockMs += 10_000;
    await report("digits-lite", 30, 0);
    await poller.pollOnce();
    expect(verdict("lite", "digits-lite")?.reason).toContain("held 10 of 30 s");
    clockMs += 45_000;
    await report("digits-lite", 5, 0);
    await poller.pollOnce();
    expect(verdict("lite", "digits-lite")?.reason).toContain("waiting for 20 samples from probes, has 5");
    clockMs += 5_000;
    await report("digits-lite", 20, 0);
    await poller.pollOnce();
    expect(verdict("lite", "digits-lite")).toBeUndefined();
    expect(logged(logs, "guarded model recovered: traffic returns")).toHaveLength(1);
  });

  it("degrades on accuracy from feedback: answers the truth says were wrong", async () => {
    for (let i = 0; i < 25; i++) {
      const requestId = `quality-${i}`;
      await registry.recordDecision({
        decision: create(DecisionRecordSchema, {
          requestId,
          time: timestampFromMs(clockMs),
          model: { name: "digits-quality", version: "1" },
          policy: "digits",
          rule: "quality",
          attempted: [{ name: "digits-quality", version: "1" }],
          topLabel: "7",
          modality: Modality.IMAGE,
        }),
      });
    }
    for (let i = 0; i < 25; i++) await registry.recordFeedback({ requestId: `quality-${i}`, value: { case: "label", value: i < 5 ? "7" : "3" } });
    clockMs += 1000;
    await poller.pollOnce();
    expect(verdict("quality", "digits-quality")?.reason).toBe(
      "accuracy 0.2 over 25 labelled answers < min_accuracy 0.9 (degraded for at least hold 0 s)",
    );
  });

  it("keeps exact figures across a move of the anchor", async () => {
    for (let s = 0; s < 200; s += 20) {
      clockMs += 20_000;
      await poller.pollOnce();
    }
    expect(clockMs - T0).toBeGreaterThan(3 * 60_000);
    await report("digits-general", 10, 0);
    clockMs += 1000;
    await poller.pollOnce();
    await report("digits-general", 12, 12);
    clockMs += 1000;
    await poller.pollOnce();
    expect(verdict("lite", "digits-general")?.reason).toContain("error rate 0.545 over 22 attempts > max_error_rate 0.1");
  });
});
