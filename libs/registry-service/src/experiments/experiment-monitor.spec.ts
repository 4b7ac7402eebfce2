import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ExperimentVerdict, Strategy, type ExperimentSchema, type Policy, type Target } from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import {
  backendFor,
  memoryLogger,
  rpcErrorOf,
  uniqueName,
  validDecision,
  validPolicy,
  type Backend,
  type Registry,
} from "../registry.test-support.js";
import type { RegistryStore } from "../store/registry-store.js";
import { createExperimentMonitor } from "./experiment-monitor.js";

type ExperimentInit = MessageInitShape<typeof ExperimentSchema>;

const model = (name: string, weight = 50) => ({ kind: { case: "model" as const, value: { name, version: "" } }, weight });

function modelName(target: Target): string {
  return target.kind.case === "model" ? target.kind.value.name : "";
}

function experimentPolicy(name: string, experiment: ExperimentInit = { minSamples: 20 }): Policy {
  return validPolicy(name, "control", {
    rules: [],
    defaultRoute: {
      targets: [model("control"), model("challenger")],
      strategy: Strategy.WEIGHTED,
      fallbacks: [{ kind: { case: "model", value: { name: "backstop", version: "" } } }],
      experiment,
    },
  });
}

/**
 * Logs `count` answered decisions of `arm` for the policy's default route at `revision`, with label feedback
 * that says the answer was right for a share `accuracy` of them.
 */
async function serve(registry: Registry, policy: string, revision: bigint, arm: string, count: number, accuracy: number) {
  for (let i = 0; i < count; i += 1) {
    const requestId = uniqueName("req");
    await registry.client.recordDecision({
      decision: validDecision({
        requestId,
        time: timestampFromMs(Date.now()),
        policy,
        rule: "",
        policyRevision: revision,
        model: { name: arm, version: "1" },
        attempted: [{ name: arm, version: "1" }],
        fallbackUsed: false,
        topLabel: "7",
        latencyMs: 5,
      }),
    });
    await registry.client.recordFeedback({ requestId, value: { case: "label", value: i < count * accuracy ? "7" : "3" } });
  }
}

describe("the experiment monitor (pglite)", () => {
  let backend: Backend;
  let registry: Registry;
  const logs: string[] = [];

  beforeAll(async () => {
    backend = await backendFor("pglite");
    registry = await backend.open();
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  const monitorOn = (store: RegistryStore = registry.store) =>
    createExperimentMonitor({ store, logger: memoryLogger(logs), intervalMs: 0 });

  async function started(experiment?: ExperimentInit): Promise<Policy> {
    const { policy } = await registry.client.applyPolicy({ policy: experimentPolicy(uniqueName("ab"), experiment) });
    return policy!;
  }

  it("promotes a better challenger as a new revision written by the experiment, with the evidence", async () => {
    const policy = await started();
    await serve(registry, policy.name, policy.revision, "control", 30, 0.3);
    await serve(registry, policy.name, policy.revision, "challenger", 30, 1);
    const steps = await monitorOn().lookOnce();
    const step = steps.find((s) => s.policy === policy.name);
    expect(step).toMatchObject({ result: "promoted", name: `${policy.name}/default` });

    const { policy: next } = await registry.client.getPolicy({ name: policy.name });
    const route = next!.defaultRoute!;
    expect(next!.revision).toBe(step!.revision);
    expect(route.strategy).toBe(Strategy.FIRST);
    expect(route.targets.map((t) => [modelName(t), t.weight])).toEqual([["challenger", 0]]);
    expect(route.fallbacks.map((t) => modelName(t))).toEqual(["control", "backstop"]);
    const outcome = route.experiment!.outcome!;
    expect(outcome.verdict).toBe(ExperimentVerdict.PROMOTED);
    expect(outcome.challenger?.name).toBe("challenger");
    expect(outcome.fromRevision).toBe(policy.revision);
    expect(outcome.pValue).toBeLessThanOrEqual(0.05);
    expect(outcome.effect).toBeCloseTo(0.7, 1);
    expect(outcome.reason).toMatch(/^accuracy 1\.000 vs 0\.300 \(\+0\.700\), always-valid p = .* ≤ 0\.050$/);
    expect(outcome.arms.map((a) => [a.model?.name, Number(a.samples), Number(a.requests)])).toEqual([
      ["control", 30, 30],
      ["challenger", 30, 30],
    ]);

    const { revisions } = await registry.client.listPolicyRevisions({ name: policy.name });
    expect(revisions.map((r) => [r.revision, r.appliedBy])).toEqual([
      [next!.revision, `experiment:${policy.name}/default`],
      [policy.revision, ""],
    ]);
    const audited = await registry.client.listAuditEvents({ resourcePrefix: `policy/${policy.name}`, pageSize: 1 });
    expect(audited.events.map((e) => [e.actor, e.action, e.revision, e.before !== undefined])).toEqual([
      [`experiment:${policy.name}/default`, "ApplyPolicy", next!.revision, true],
    ]);
    const { policy: before } = await registry.client.getPolicy({ name: policy.name, revision: policy.revision });
    expect(before!.defaultRoute!.strategy).toBe(Strategy.WEIGHTED);
    expect(logs.some((line) => line.includes("experiment promoted"))).toBe(true);

    const { experiments } = await registry.client.listExperiments({ policy: policy.name });
    expect(experiments.map((e) => [e.name, e.outcome?.verdict, e.revision])).toEqual([
      [`${policy.name}/default`, ExperimentVerdict.PROMOTED, policy.revision],
    ]);
    expect((await monitorOn().lookOnce()).filter((s) => s.policy === policy.name)).toEqual([]);
  });

  it("rolls back a worse challenger: it leaves the targets and the control serves alone", async () => {
    const policy = await started();
    await serve(registry, policy.name, policy.revision, "control", 30, 1);
    await serve(registry, policy.name, policy.revision, "challenger", 30, 0.2);
    const step = (await monitorOn().lookOnce()).find((s) => s.policy === policy.name);
    expect(step?.result).toBe("rolled back");
    const route = (await registry.client.getPolicy({ name: policy.name })).policy!.defaultRoute!;
    expect(route.strategy).toBe(Strategy.FIRST);
    expect(route.targets.map((t) => [modelName(t), t.weight])).toEqual([["control", 0]]);
    expect(route.fallbacks.map((t) => modelName(t))).toEqual(["backstop"]);
    expect(route.experiment?.outcome?.verdict).toBe(ExperimentVerdict.ROLLED_BACK);
    expect(route.experiment?.outcome?.effect).toBeCloseTo(-0.8, 1);
  });

  it("rolls back a challenger that fails more than max_error_rate", async () => {
    const policy = await started({ minSamples: 20, maxErrorRate: 0.2 });
    await serve(registry, policy.name, policy.revision, "control", 20, 0.5);
    for (let i = 0; i < 20; i += 1) {
      await registry.client.recordDecision({
        decision: validDecision({
          requestId: uniqueName("req"),
          time: timestampFromMs(Date.now()),
          policy: policy.name,
          rule: "",
          policyRevision: policy.revision,
          attempted: [{ name: "challenger", version: "1" }, { name: "backstop", version: "1" }],
          model: { name: "backstop", version: "1" },
          fallbackUsed: true,
        }),
      });
    }
    const step = (await monitorOn().lookOnce()).find((s) => s.policy === policy.name);
    expect(step?.result).toBe("rolled back");
    const outcome = (await registry.client.getPolicy({ name: policy.name })).policy!.defaultRoute!.experiment!.outcome!;
    expect(outcome.reason).toBe("challenger failed 20 of 20 requests (100.0 %), more than max_error_rate 0.2");
  });

  it("waits, and says why, while an arm has fewer samples than min_samples", async () => {
    const policy = await started();
    await serve(registry, policy.name, policy.revision, "control", 20, 0.5);
    await serve(registry, policy.name, policy.revision, "challenger", 5, 1);
    const step = (await monitorOn().lookOnce()).find((s) => s.policy === policy.name);
    expect(step?.result).toBe("undecided");
    const { experiments } = await registry.client.listExperiments({ policy: policy.name });
    expect(experiments).toHaveLength(1);
    expect(experiments[0]).toMatchObject({ note: "challenger has 5 of 20 samples", revision: policy.revision });
    expect(experiments[0]?.pValues).toHaveLength(1);
    expect(experiments[0]?.effects[0]).toBeCloseTo(0.5, 5);
  });

  it("skips a verdict when the policy changed after it read it (someone else acted)", async () => {
    const policy = await started();
    await serve(registry, policy.name, policy.revision, "control", 30, 0.3);
    await serve(registry, policy.name, policy.revision, "challenger", 30, 1);
    let interfered = false;
    const racing: RegistryStore = {
      ...registry.store,
      listDecisions: async (filter, page) => {
        if (!interfered && filter.policy === policy.name) {
          interfered = true;
          const changed = experimentPolicy(policy.name);
          changed.description = "edited by someone else";
          await registry.store.putPolicy(changed, { validateOnly: false, appliedBy: "alice" });
        }
        return registry.store.listDecisions(filter, page);
      },
    };
    const step = (await monitorOn(racing).lookOnce()).find((s) => s.policy === policy.name);
    expect(step?.result).toBe("conflict");
    const { policy: current } = await registry.client.getPolicy({ name: policy.name });
    expect(current!.description).toBe("edited by someone else");
    expect(current!.defaultRoute!.experiment!.outcome).toBeUndefined();
  });

  it("looks in the background every interval until stopped", async () => {
    const policy = await started();
    await serve(registry, policy.name, policy.revision, "control", 30, 0.3);
    await serve(registry, policy.name, policy.revision, "challenger", 30, 1);
    const monitor = createExperimentMonitor({ store: registry.store, logger: memoryLogger(logs), intervalMs: 20 });
    try {
      for (let polls = 0; ; polls += 1) {
        const { policy: current } = await registry.client.getPolicy({ name: policy.name });
        if (current?.defaultRoute?.experiment?.outcome !== undefined) break;
        if (polls > 600) throw new Error("the background monitor never wrote a verdict");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await monitor.stop();
    }
    const { revisions } = await registry.client.listPolicyRevisions({ name: policy.name });
    expect(revisions[0]?.appliedBy).toBe(`experiment:${policy.name}/default`);
  });

  it("refuses an outcome a user writes, naming the field, but accepts a body the registry wrote", async () => {
    const forged = experimentPolicy(uniqueName("ab"), {
      minSamples: 20,
      outcome: { verdict: ExperimentVerdict.PROMOTED, challenger: { name: "challenger", version: "" }, fromRevision: 1n },
    });
    const error = await rpcErrorOf(registry.client.applyPolicy({ policy: forged }));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.message).toContain("policy.default_route.experiment.outcome");
    expect(error.message).toContain("output-only");

    const policy = await started();
    await serve(registry, policy.name, policy.revision, "control", 30, 0.3);
    await serve(registry, policy.name, policy.revision, "challenger", 30, 1);
    await monitorOn().lookOnce();
    const { policy: written } = await registry.client.getPolicy({ name: policy.name });
    const reapplied = await registry.client.applyPolicy({ policy: { ...written!, description: "reviewed" } });
    expect(reapplied.policy?.defaultRoute?.experiment?.outcome?.verdict).toBe(ExperimentVerdict.PROMOTED);
    const tampered = { ...written!, description: "tampered" };
    tampered.defaultRoute!.experiment!.outcome!.reason = "a better story";
    expect((await rpcErrorOf(registry.client.applyPolicy({ policy: tampered }))).code).toBe(Code.INVALID_ARGUMENT);
  });
});
