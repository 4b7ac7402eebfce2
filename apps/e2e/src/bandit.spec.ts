import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fromJson } from "@bufbuild/protobuf";
import { PolicySchema } from "@modelrouter/contracts";
import { type EvaluationSet, evaluationImage, loadDemoModels, loadEvaluationSet } from "@modelrouter/model-zoo";
import { startModelrouter, type RunningSystem } from "@modelrouter/testing";
import { PNG } from "pngjs";

const ROUNDS = 200;
const SPECIALIST = "digits-lowres-specialist";
const GENERAL = "digits-general";
const mnist = loadEvaluationSet("mnist-test-1000");
const scans = loadEvaluationSet("lowres-test-540");

/** Image `index` of an evaluation set as PNG. */
function png(set: EvaluationSet, index: number): Uint8Array {
  const image = new PNG({ width: set.width, height: set.height });
  evaluationImage(set, index).forEach((v, i) => image.data.set([v, v, v, 255], 4 * i));
  return new Uint8Array(PNG.sync.write(image));
}

/** A contextual bandit over the general CNN and the 8×8 specialist, told apart by the image's width. */
const policy = fromJson(PolicySchema, {
  name: "digits-bandit",
  defaultRoute: {
    strategy: "STRATEGY_BANDIT",
    bandit: { features: ["input.image.width <= 16"], minShare: 0.02 },
    targets: [{ model: { name: GENERAL } }, { model: { name: SPECIALIST } }],
  },
});

interface Served {
  readonly scan: boolean;
  readonly model: string;
  readonly correct: boolean;
}

describe("a contextual bandit, distributed: scans and MNIST digits with label feedback (issue 11 item 5)", () => {
  let system: RunningSystem;
  const served: Served[] = [];

  beforeAll(async () => {
    system = await startModelrouter("distributed", { MODELROUTER_DECISION_BANDIT_INTERVAL: "200ms" });
    const zoo = loadDemoModels();
    for (const name of [GENERAL, SPECIALIST]) await system.registry.registerModel({ model: zoo.find((m) => m.name === name)! });
    await system.registry.applyPolicy({ policy });
    const end = Date.now() + 30_000;
    for (;;) {
      const explained = await system.router.explain({ request: request(mnist, 0, "explain-wait") }).catch(() => undefined);
      if (explained?.decision?.policy === "digits-bandit") break;
      if (Date.now() > end) throw new Error("the policy never reached the decision engine");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (let i = 0; i < ROUNDS; i++) {
      for (const [set, scan] of [[scans, true], [mnist, false]] as const) {
        const index = i % set.count;
        const answer = await system.router.infer(request(set, index, `bandit-${scan ? "scan" : "mnist"}-${i}`));
        const feedback = await system.router.submitFeedback({ requestId: answer.requestId, feedback: { case: "label", value: set.labels[index]! } });
        served.push({ scan, model: answer.model?.name ?? "", correct: feedback.correct });
      }
    }
  }, 600_000);

  afterAll(async () => {
    await system?.stop();
  });

  const request = (set: EvaluationSet, index: number, requestId: string) => ({
    requestId,
    payload: { kind: { case: "image" as const, value: { data: png(set, index), mimeType: "image/png" } } },
  });

  const share = (list: readonly Served[], model: string): number => list.filter((s) => s.model === model).length / list.length;

  it("learns to send scans to the specialist and MNIST digits to the general model", () => {
    const lastScans = served.filter((s) => s.scan).slice(-100);
    const lastMnist = served.filter((s) => !s.scan).slice(-100);
    const firstScans = served.filter((s) => s.scan).slice(0, 20);
    process.stdout.write(
      `bandit e2e: first 20 scans ${(100 * share(firstScans, SPECIALIST)).toFixed(0)} % to the specialist; ` +
        `last 100 scans ${(100 * share(lastScans, SPECIALIST)).toFixed(0)} % to the specialist, ` +
        `accuracy ${(100 * lastScans.filter((s) => s.correct).length / lastScans.length).toFixed(0)} %; ` +
        `last 100 MNIST ${(100 * share(lastMnist, GENERAL)).toFixed(0)} % to the general model, ` +
        `accuracy ${(100 * lastMnist.filter((s) => s.correct).length / lastMnist.length).toFixed(0)} %\n`,
    );
    expect(share(lastScans, SPECIALIST)).toBeGreaterThanOrEqual(0.8);
    expect(share(lastMnist, GENERAL)).toBeGreaterThanOrEqual(0.8);
  });

  it("keeps its state in the registry: one pull per labelled, answered request, per model version", async () => {
    const { arms } = await system.registry.listBanditArms({});
    expect(arms.map((a) => a.bandit)).toEqual(arms.map(() => expect.stringMatching(/^digits-bandit\/default#[0-9a-f]{8}$/)));
    const pulls = Object.fromEntries(arms.map((a) => [a.model?.name ?? "", Number(a.pulls)]));
    expect(pulls).toEqual({
      [GENERAL]: served.filter((s) => s.model === GENERAL).length,
      [SPECIALIST]: served.filter((s) => s.model === SPECIALIST).length,
    });
    expect(arms.every((a) => a.dimension === 2 && a.gram.length === 4)).toBe(true);
  });
});
