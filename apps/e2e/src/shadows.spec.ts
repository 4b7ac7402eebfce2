import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fromJson } from "@bufbuild/protobuf";
import { CandidateRole, type DecisionRecord, PolicySchema } from "@modelrouter/contracts";
import { loadDemoModels, loadSampleIndex, type Sample } from "@modelrouter/model-zoo";
import { Code } from "@modelrouter/rpc-kit";
import { startModelrouter, type RunningSystem } from "@modelrouter/testing";

const mnist = loadSampleIndex().filter((s) => s.kind === "mnist").slice(0, 6);

const imageRequest = (sample: Sample, requestId: string) => ({
  requestId,
  payload: { kind: { case: "image" as const, value: { data: readFileSync(sample.path), mimeType: "image/png" } } },
});

/** digits-general answers; digits-lite sees a copy of every request. */
const mirrorPolicy = fromJson(PolicySchema, {
  name: "digits-shadowed",
  defaultRoute: { targets: [{ model: { name: "digits-general" } }], shadows: [{ model: { name: "digits-lite" } }] },
});

describe("shadow traffic, distributed: digits-general answers, digits-lite is mirrored and compared", () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startModelrouter("distributed");
    const zoo = loadDemoModels();
    for (const name of ["digits-general", "digits-lite"]) {
      await system.registry.registerModel({ model: zoo.find((m) => m.name === name)! });
    }
    await system.registry.applyPolicy({ policy: mirrorPolicy });
    const end = Date.now() + 30_000;
    for (;;) {
      const explained = await system.router.explain({ request: imageRequest(mnist[0]!, "explain-wait") }).catch(() => undefined);
      if (explained?.decision?.policy === "digits-shadowed") break;
      if (Date.now() > end) throw new Error("the policy never reached the decision engine");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  /** The decision record of `requestId` once its shadow result is in (the write waits for the shadow). */
  async function recordOf(requestId: string): Promise<DecisionRecord> {
    const end = Date.now() + 30_000;
    for (;;) {
      const found = await system.registry.getDecision({ requestId }).catch(() => undefined);
      if (found?.decision !== undefined) return found.decision;
      if (Date.now() > end) throw new Error(`no decision record for ${requestId}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("explains the shadow as a SHADOW candidate in the decision", async () => {
    const { decision } = await system.router.explain({ request: imageRequest(mnist[0]!, "explain-1") });
    expect(decision?.shadows.map((s) => s.model?.name)).toEqual(["digits-lite"]);
    const shadow = decision?.explanation?.candidates.find((c) => c.role === CandidateRole.SHADOW);
    expect(shadow?.model?.name).toBe("digits-lite");
  });

  it("answers from digits-general only, and ListDecisions shows each request's comparison with digits-lite", async () => {
    const ids: string[] = [];
    for (const [i, sample] of mnist.entries()) {
      const requestId = `shadowed-${i}`;
      const answer = await system.router.infer(imageRequest(sample, requestId));
      expect(answer.model?.name).toBe("digits-general");
      expect(answer.attempts.map((a) => a.model?.name)).toEqual(["digits-general"]);
      ids.push(requestId);
    }
    for (const id of ids) {
      const record = await recordOf(id);
      expect(record.shadows).toHaveLength(1);
      const [shadow] = record.shadows;
      expect(shadow).toMatchObject({ model: { name: "digits-lite", version: "1" }, code: Code.OK });
      expect(shadow!.topLabel).not.toBe("");
      expect(shadow!.sameTopLabel).toBe(shadow!.topLabel === record.topLabel);
      expect(shadow!.scoreDistance).toBeGreaterThanOrEqual(0);
      expect(shadow!.scoreDistance).toBeLessThanOrEqual(2);
      expect(shadow!.latencyMs).toBeGreaterThan(0);
    }
    const { decisions } = await system.registry.listDecisions({ policy: "digits-shadowed", pageSize: 50 });
    const listed = decisions.filter((d) => ids.includes(d.requestId));
    expect(listed).toHaveLength(ids.length);
    expect(listed.every((d) => d.shadows[0]?.model?.name === "digits-lite" && d.shadows[0].code === Code.OK)).toBe(true);
  });
});
