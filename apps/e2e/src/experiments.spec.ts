import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fromJson } from "@bufbuild/protobuf";
import { ExperimentVerdict, PolicySchema, Strategy, type InferResponse, type Policy, type Target } from "@modelrouter/contracts";
import { main, type Io } from "@modelrouter/cli";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { startModelrouter, type RunningSystem, type Topology } from "@modelrouter/testing";

const mnist = loadSampleIndex().filter((s) => s.kind === "mnist");

/** A 50/50 experiment of digits-general (control) against digits-lite, deciding after 10 labelled answers each. */
function experimentPolicy(name: string, priority: number): Policy {
  return fromJson(PolicySchema, {
    name,
    priority,
    defaultRoute: {
      strategy: "STRATEGY_WEIGHTED",
      targets: [
        { model: { name: "digits-general" }, weight: 1 },
        { model: { name: "digits-lite" }, weight: 1 },
      ],
      experiment: { name: `${name}-trial`, minSamples: 10 },
    },
  });
}

function modelName(target: Target): string {
  return target.kind.case === "model" ? target.kind.value.name : "";
}

function topLabel(answer: InferResponse): string {
  const output = answer.outputs[0]?.value;
  return output?.case === "classification" ? (output.value.labels[0]?.label ?? "") : "";
}

describe.each(["distributed", "co-located"] as Topology[])("experiments, %s: the registry promotes a better challenger and rolls back a worse one", (topology) => {
  let system: RunningSystem;
  let sent = 0;

  beforeAll(async () => {
    system = await startModelrouter(topology, { MODELROUTER_EXPERIMENT_INTERVAL: "300ms" });
    const zoo = loadDemoModels();
    for (const name of ["digits-general", "digits-lite"]) await system.registry.registerModel({ model: zoo.find((m) => m.name === name)! });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  const request = (requestId: string) => ({
    requestId,
    payload: { kind: { case: "image" as const, value: { data: readFileSync(mnist[sent % mnist.length]!.path), mimeType: "image/png" } } },
  });

  /**
   * Applies the experiment, then sends requests and gives feedback that makes `better`'s answers right and the
   * other arm's wrong (the feedback is the truth), until the registry writes a revision with the outcome.
   */
  async function runExperiment(name: string, priority: number, better: string): Promise<{ applied: Policy; ended: Policy }> {
    const { policy: applied } = await system.registry.applyPolicy({ policy: experimentPolicy(name, priority) });
    const end = Date.now() + 120_000;
    for (;;) {
      const explained = await system.router.explain({ request: request("explain-wait") }).catch(() => undefined);
      if (explained?.decision?.policy === name) break;
      if (Date.now() > end) throw new Error(`policy ${name} never reached the decision engine`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (;;) {
      for (let i = 0; i < 10; i += 1) {
        sent += 1;
        const answer = await system.router.infer(request(`${name}-${sent}`));
        const label = topLabel(answer);
        const truth = answer.model?.name === better ? label : String((Number(label) + 1) % 10);
        await system.router.submitFeedback({ requestId: answer.requestId, feedback: { case: "label", value: truth } });
      }
      const { policy } = await system.registry.getPolicy({ name });
      if (policy?.defaultRoute?.experiment?.outcome !== undefined) return { applied: applied!, ended: policy };
      if (Date.now() > end) throw new Error(`experiment ${name} did not decide within 120 s`);
    }
  }

  it("promotes digits-lite when its answers are right and the control's wrong, as a new revision with evidence", async () => {
    const { applied, ended } = await runExperiment("digits-trial-up", 10, "digits-lite");
    const route = ended.defaultRoute!;
    expect(ended.revision).toBeGreaterThan(applied.revision);
    expect(route.strategy).toBe(Strategy.FIRST);
    expect(route.targets.map((t) => modelName(t))).toEqual(["digits-lite"]);
    expect(route.fallbacks.map((t) => modelName(t))).toEqual(["digits-general"]);
    const outcome = route.experiment!.outcome!;
    expect(outcome).toMatchObject({ verdict: ExperimentVerdict.PROMOTED, fromRevision: applied.revision, challenger: { name: "digits-lite" } });
    expect(outcome.pValue).toBeLessThanOrEqual(0.05);
    expect(outcome.effect).toBeGreaterThan(0.5);
    expect(outcome.arms.map((a) => a.model?.name)).toEqual(["digits-general", "digits-lite"]);
    expect(outcome.arms.every((a) => a.samples >= 10n)).toBe(true);

    const { revisions } = await system.registry.listPolicyRevisions({ name: "digits-trial-up" });
    expect(revisions[0]).toMatchObject({ revision: ended.revision, appliedBy: "experiment:digits-trial-up-trial" });
    expect(revisions.map((r) => r.revision)).toContain(applied.revision);

    const lines: string[] = [];
    const io: Io = { out: (t) => void lines.push(t), err: (t) => void lines.push(t) };
    expect(await main(["--registry", system.registryAddress, "experiments", "list", "--policy", "digits-trial-up"], io, {})).toBe(0);
    expect(lines[0]).toMatch(/^EXPERIMENT +POLICY\/RULE +METRIC +REVISION +ARMS +P-VALUE +EFFECT +STATUS$/);
    expect(lines[1]).toMatch(/^digits-trial-up-trial +digits-trial-up\/\(default\) +accuracy .* promoted digits-lite /);
  }, 180_000);

  it("rolls digits-lite back when its answers are wrong and the control's right", async () => {
    const { applied, ended } = await runExperiment("digits-trial-down", 20, "digits-general");
    const route = ended.defaultRoute!;
    expect(route.strategy).toBe(Strategy.FIRST);
    expect(route.targets.map((t) => modelName(t))).toEqual(["digits-general"]);
    expect(route.experiment?.outcome).toMatchObject({
      verdict: ExperimentVerdict.ROLLED_BACK,
      fromRevision: applied.revision,
      challenger: { name: "digits-lite" },
    });
    expect(route.experiment!.outcome!.reason).toMatch(/^accuracy 0\.\d+ vs 1\.000 \(-\d\.\d+\), always-valid p = /);
    const { revisions } = await system.registry.listPolicyRevisions({ name: "digits-trial-down" });
    expect(revisions[0]?.appliedBy).toBe("experiment:digits-trial-down-trial");

    const end = Date.now() + 30_000;
    for (let i = 0; ; i += 1) {
      const explained = await system.router.explain({ request: request(`after-rollback-${i}`) });
      if (explained.decision?.policyRevision === ended.revision) {
        expect(explained.decision.target?.model?.name).toBe("digits-general");
        break;
      }
      if (Date.now() > end) throw new Error("the rolled-back revision never reached the decision engine");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 180_000);
});
