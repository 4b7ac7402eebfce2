import { create } from "@bufbuild/protobuf";
import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import { CandidateRole, InputProfileSchema, Modality, type PolicySchema, Strategy } from "@modelrouter/contracts";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@modelrouter/rpc-kit";
import {
  type TestEngine,
  type TestRegistry,
  modelInit,
  rpcFailure,
  startEngine,
  startRegistry,
} from "./decision.test-support.js";

jest.setTimeout(60_000);

const image = create(InputProfileSchema, { modality: Modality.IMAGE, mimeType: "image/png", image: { width: 28, height: 28 } });

function abTest(weightA: number, weightB: number): MessageInitShape<typeof PolicySchema> {
  return {
    name: "digits-ab",
    defaultRoute: {
      strategy: Strategy.WEIGHTED,
      stickyKey: "user",
      targets: [
        { kind: { case: "model", value: { name: "digits-a" } }, weight: weightA },
        { kind: { case: "model", value: { name: "digits-b" } }, weight: weightB },
      ],
    },
  };
}

describe("a weighted route through the registry and the decision engine", () => {
  let registry: TestRegistry;
  let engine: TestEngine | undefined;

  beforeEach(async () => {
    registry = await startRegistry();
    await registry.client.registerModel({ model: modelInit("digits-a", "1") });
    await registry.client.registerModel({ model: modelInit("digits-b", "1") });
  });

  afterEach(async () => {
    await engine?.close();
    await registry.close();
  });

  it("splits users 70/30, keeps each user on their arm, and explains the arm and the hash key", async () => {
    await registry.client.applyPolicy({ policy: abTest(70, 30) });
    engine = startEngine(registry.client);
    await engine.sync.ready;
    const client = engine.client;

    const users = Array.from({ length: 2_000 }, (_, i) => `user-${i}`);
    const arms = await Promise.all(
      users.map(async (userId) => (await client.decide({ profile: image, context: { userId } })).decision?.target?.model?.name),
    );
    const shareA = (100 * arms.filter((arm) => arm === "digits-a").length) / users.length;
    expect(shareA).toBeGreaterThanOrEqual(66);
    expect(shareA).toBeLessThanOrEqual(74);

    const again = await client.decide({ profile: image, context: { userId: "user-7" } });
    expect(again.decision?.target?.model?.name).toBe(arms[7]);
    const candidates = again.decision?.explanation?.candidates ?? [];
    expect(candidates.map((c) => c.role)).toEqual(
      arms[7] === "digits-a" ? [CandidateRole.TARGET, CandidateRole.FALLBACK] : [CandidateRole.FALLBACK, CandidateRole.TARGET],
    );
    expect(candidates.map((c) => c.reason)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^chosen by the weighted split: arm digits-[ab] .*; hash key user="user-7"$/),
        expect.stringMatching(/^fallback 1 of 1; not chosen by the weighted split: arm digits-[ab] .*; hash key user="user-7"$/),
      ]),
    );
  });

  it("refuses, at apply time, a weighted route whose weight is not greater than 0, naming the field", async () => {
    const failure = await rpcFailure(registry.client.applyPolicy({ policy: abTest(70, 0) }));
    expect(failure.code).toBe(Code.INVALID_ARGUMENT);
    expect(failure.message).toContain("default_route.targets[1].weight");
  });
});
