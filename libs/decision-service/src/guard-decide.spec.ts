import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { CandidateRole, DecisionService, InputProfileSchema, Modality } from "@modelrouter/contracts";
import { createDirectClient, type ServiceClient } from "@modelrouter/rpc-kit";
import { type TestRegistry, eventually, memoryLogger, modelInit, startRegistry, targetOf } from "./decision.test-support.js";
import { type CatalogueSync, type HealthPoller, createCatalogueSync, createDecisionService, createHealthPoller } from "./index.js";

const image = create(InputProfileSchema, { modality: Modality.IMAGE, mimeType: "image/png", image: { width: 28, height: 28 } });

describe("Decide on a guarded route whose target degrades (registry → health poller → decision service)", () => {
  let registry: TestRegistry;
  let sync: CatalogueSync;
  let health: HealthPoller;
  let client: ServiceClient<typeof DecisionService>;
  let draw = 0.5;

  beforeAll(async () => {
    registry = await startRegistry();
    await registry.client.registerModel({ model: modelInit("digits-lite", "1") });
    await registry.client.registerModel({ model: modelInit("digits-general", "1") });
    await registry.client.applyPolicy({
      policy: {
        name: "digits",
        defaultRoute: {
          targets: [{ kind: { case: "model", value: { name: "digits-lite" } } }],
          fallbacks: [{ kind: { case: "model", value: { name: "digits-general" } } }],
          guard: { maxErrorRate: 0.1, probeShare: 0.1 },
        },
      },
    });
    sync = createCatalogueSync({ registry: registry.client, logger: memoryLogger([]) });
    await sync.ready;
    health = createHealthPoller({ registry: registry.client, catalogue: sync, logger: memoryLogger([]), start: false });
    const impl = createDecisionService({ catalogue: sync, registry: registry.client, health, random: () => draw });
    client = createDirectClient(DecisionService, impl, { defaultTimeoutMs: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await health?.close();
    await sync?.close();
    await registry?.close();
  });

  it("routes to the fallback once the target's failures reach the registry, probing the target with probe_share", async () => {
    expect(targetOf(await client.decide({ profile: image }))).toBe("digits-lite@1");
    await health.pollOnce();
    await registry.client.recordModelStats({
      reporter: "router-a",
      deltas: [{ model: { name: "digits-lite", version: "1" }, startTime: timestampFromMs(Date.now()), requests: 30n, errorsByCode: { 14: 15n } }],
    });
    await eventually(async () => {
      await health.pollOnce();
      expect(health.tracker.degraded().map((t) => t.model)).toEqual(["digits-lite@1"]);
    });
    const moved = await client.decide({ profile: image });
    expect(targetOf(moved)).toBe("digits-general@1");
    expect(moved.decision?.propensity).toBeCloseTo(0.9, 12);
    const lite = moved.decision?.explanation?.candidates.find((c) => c.model?.name === "digits-lite");
    expect(lite?.role).toBe(CandidateRole.FALLBACK);
    expect(lite?.reason).toContain("degraded: error rate 0.5 over 30 attempts > max_error_rate 0.1");
    draw = 0.05;
    const probe = await client.decide({ profile: image });
    expect(targetOf(probe)).toBe("digits-lite@1");
    expect(probe.decision?.propensity).toBeCloseTo(0.1, 12);
  });
});
