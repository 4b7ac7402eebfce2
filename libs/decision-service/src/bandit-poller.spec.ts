import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import { DecisionService, InputProfileSchema, Modality, Strategy } from "@modelrouter/contracts";
import { createDirectClient } from "@modelrouter/rpc-kit";
import { type TestRegistry, eventually, memoryLogger, modelInit, startRegistry } from "./decision.test-support.js";
import { type BanditPoller, type CatalogueSync, createBanditPoller, createCatalogueSync, createDecisionService } from "./index.js";

jest.setTimeout(60_000);

const image = create(InputProfileSchema, { modality: Modality.IMAGE, mimeType: "image/png", image: { width: 28, height: 28 } });

describe("a decision engine's bandits", () => {
  let registry: TestRegistry;
  let sync: CatalogueSync;
  let poller: BanditPoller;
  const logs: string[] = [];

  beforeEach(async () => {
    registry = await startRegistry();
    for (const name of ["digits-a", "digits-b"]) await registry.client.registerModel({ model: modelInit(name, "1") });
    await registry.client.applyPolicy({
      policy: {
        name: "learner",
        defaultRoute: {
          strategy: Strategy.BANDIT,
          targets: ["digits-a", "digits-b"].map((name) => ({ kind: { case: "model" as const, value: { name } } })),
          bandit: { minShare: 0.02 },
        },
      },
    });
    sync = createCatalogueSync({ registry: registry.client, logger: memoryLogger(logs) });
    await sync.ready;
    poller = createBanditPoller({ registry: registry.client, logger: memoryLogger(logs), start: false });
  });

  afterEach(async () => {
    await poller.close();
    await sync.close();
    await registry.close();
  });

  /** Decides one request with the bandit's state as last polled, drawing `draw`. */
  const decide = async (draw: number) => {
    const impl = createDecisionService({ catalogue: sync, bandits: poller, random: () => draw });
    const client = createDirectClient(DecisionService, impl, { defaultTimeoutMs: 30_000 });
    return (await client.decide({ profile: image, explain: false })).decision!;
  };

  /** Logs a decision answered by `name` and labels it right or wrong, as a router and a client would. */
  const served = async (bandit: string, index: number, name: string, right: boolean): Promise<void> => {
    const requestId = `req-${name}-${index}`;
    await registry.client.recordDecision({
      decision: {
        requestId,
        time: timestampFromMs(Date.now()),
        model: { name, version: "1" },
        policy: "learner",
        code: 0,
        topLabel: "7",
        modality: Modality.IMAGE,
        bandit,
      },
    });
    await registry.client.recordFeedback({ requestId, value: { case: "label", value: right ? "7" : "1" } });
  };

  it("chooses at the prior until it polls what the registry learned from feedback, then by it", async () => {
    const first = await decide(0);
    expect(first.bandit).toMatch(/^learner\/default#[0-9a-f]{8}$/);
    expect(first.propensity).toBeCloseTo(0.5, 6);
    for (let i = 0; i < 20; i++) {
      await served(first.bandit, i, "digits-a", false);
      await served(first.bandit, i, "digits-b", true);
    }
    expect((await decide(0)).propensity).toBeCloseTo(0.5, 6);
    expect(await poller.pollOnce()).toBe(true);
    expect(poller.snapshot()?.byBandit.get(first.bandit)?.arms.size).toBe(2);
    const learned = await decide(0);
    expect(learned.target?.model?.name).toBe("digits-a");
    expect(learned.propensity).toBeCloseTo(0.02, 6);
    const exploiting = await decide(0.5);
    expect([exploiting.target?.model?.name, exploiting.propensity]).toEqual(["digits-b", expect.closeTo(0.98, 6)]);
  });

  it("keeps deciding on the last good state when a poll fails", async () => {
    const { bandit } = await decide(0);
    for (let i = 0; i < 10; i++) await served(bandit, i, "digits-b", true);
    await poller.pollOnce();
    const before = (await decide(0.5)).propensity;
    await registry.close();
    expect(await poller.pollOnce()).toBe(false);
    expect((await decide(0.5)).propensity).toBe(before);
    await eventually(() => expect(logs.some((line) => line.includes("bandit poll failed"))).toBe(true));
  });
});
