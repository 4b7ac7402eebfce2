import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { clone, type MessageInitShape } from "@bufbuild/protobuf";
import { main, readManifests } from "@modelrouter/cli";
import { ModelSchema, PolicySchema, type InferRequestSchema, type InferResponse, type Policy } from "@modelrouter/contracts";
import { loadDemoModels, loadPayloadSamples, loadSampleIndex, type PayloadSample, type Sample } from "@modelrouter/model-zoo";
import { Code } from "@modelrouter/rpc-kit";
import { repoRoot, type RunningSystem } from "@modelrouter/testing";
import { eventually, startDemoSystem } from "./hostile/demo-system.js";

type InferInit = MessageInitShape<typeof InferRequestSchema>;

const examplesDir = join(repoRoot, "docs/examples/policies");

/** Every example policy of `docs/examples/policies`, read as `modelrouter policies apply -f` reads them. */
const examples: readonly Policy[] = readManifests(PolicySchema, [examplesDir]);

function example(name: string): Policy {
  const policy = examples.find((p) => p.name === `example-${name}`);
  if (policy === undefined) throw new Error(`docs/examples/policies has no policy example-${name}`);
  return policy;
}

const images = loadSampleIndex();
const mnist = images.filter((s) => s.kind === "mnist");
const lowres = images.filter((s) => s.kind === "lowres");
const payloads = loadPayloadSamples();
const payloadOf = (kind: PayloadSample["kind"]): PayloadSample => {
  const sample = payloads.find((s) => s.kind === kind);
  if (sample === undefined) throw new Error(`the zoo has no ${kind} sample`);
  return sample;
};

/** What a request may add to its payload: metadata, the caller's tier, a user id. */
interface Caller {
  readonly metadata?: Record<string, string>;
  readonly tier?: string;
  readonly userId?: string;
}

/** The file's bytes with nothing said about what they are, to the policy `policy` alone. */
const request = (sample: Sample | PayloadSample, policy: string, extra: Caller = {}): InferInit => ({
  payload: { kind: { case: "binary", value: { data: readFileSync(sample.path) } } },
  policy,
  ...extra,
});

const topLabel = (response: InferResponse): string | undefined => {
  const value = response.outputs[0]?.value;
  return value?.case === "classification" ? value.value.labels[0]?.label : undefined;
};

describe("the example policies of docs/examples/policies, applied beside the demo ones", () => {
  let system: RunningSystem;

  /** The model the policy `policy` chooses for `sample` (Explain: nothing runs). */
  const chosen = async (sample: Sample | PayloadSample, policy: string, extra: Caller = {}): Promise<string | undefined> => {
    const explained = await system.router.explain({ request: request(sample, policy, extra) });
    return explained.decision?.target?.model?.name;
  };

  /** Applies `policy` and waits until the decision engine decides with that revision. */
  const applyAndWait = async (policy: Policy): Promise<bigint> => {
    const { policy: applied } = await system.registry.applyPolicy({ policy });
    const revision = applied?.revision ?? 0n;
    await eventually(async () => {
      const explained = await system.router.explain({ request: request(mnist[0]!, policy.name, { userId: "probe" }) });
      if (explained.decision?.policyRevision !== revision) throw new Error(`still on revision ${explained.decision?.policyRevision}`);
    });
    return revision;
  };

  /** The share of `users` distinct users that `policy` sends to `model`. */
  const shareOf = async (policy: string, model: string, users: readonly string[]): Promise<{ share: number; on: Set<string> }> => {
    const on = new Set<string>();
    for (const userId of users) {
      if ((await chosen(mnist[0]!, policy, { userId })) === model) on.add(userId);
    }
    return { share: on.size / users.length, on };
  };

  beforeAll(async () => {
    system = await startDemoSystem("co-located");
    const said: string[] = [];
    const io = { out: (text: string) => void said.push(text), err: (text: string) => void said.push(text) };
    const code = await main(["--registry", system.registryAddress, "policies", "apply", "-f", examplesDir], io, {});
    expect({ code, said: said.map((line) => line.replace(/ \(revision \d+\)$/, "")) }).toEqual({
      code: 0,
      said: examples.map((p) => `created policy ${p.name}`),
    });
    await eventually(async () => {
      for (const { name } of examples) {
        const explained = await system.router.explain({ request: request(mnist[0]!, name) }).catch(() => undefined);
        if (explained?.decision?.policy !== name) throw new Error(`${name} has not reached the decision engine`);
      }
    });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  });

  it("ships every example it tests, and each one applies", () => {
    expect(examples.map((p) => p.name).sort()).toEqual(
      [
        "ab-split",
        "bandit",
        "best-above-threshold",
        "default",
        "experiment",
        "fallback",
        "gradual-rollout",
        "guarded",
        "high-value",
        "least-loaded",
        "metadata-specialist",
        "modalities",
        "premium-tier",
      ].map(
        (name) => `example-${name}`,
      ),
    );
  });

  it("modalities: an image, a sentence, a spoken digit and two kinds of record each reach their own model, which answers right", async () => {
    const cases: [Sample | PayloadSample, string, string][] = [
      [mnist[3]!, "digits-general", mnist[3]!.label],
      [payloadOf("language"), "text-langid", payloadOf("language").label],
      [payloadOf("spoken-digit"), "audio-spoken-digits", payloadOf("spoken-digit").label],
      [payloadOf("breast-cancer"), "tabular-breast-cancer", payloadOf("breast-cancer").label],
      [payloadOf("penguin"), "tabular-penguins", payloadOf("penguin").label],
    ];
    for (const [sample, model, label] of cases) {
      const response = await system.router.infer(request(sample, "example-modalities"));
      expect({ file: sample.file, model: response.model?.name, label: topLabel(response) }).toEqual({ file: sample.file, model, label });
    }
  });

  it("metadata-specialist: scans marked image_type=lowres_scan reach the specialist, which reads them; unmarked, the general model", async () => {
    for (const sample of lowres.slice(0, 5)) {
      const response = await system.router.infer(request(sample, "example-metadata-specialist", { metadata: { image_type: "lowres_scan" } }));
      expect({ model: response.model?.name, rule: response.rule, label: topLabel(response) }).toEqual({
        model: "digits-lowres-specialist",
        rule: "lowres-scans",
        label: sample.label,
      });
    }
    expect(await chosen(lowres[0]!, "example-metadata-specialist")).toBe("digits-general");
  });

  it("premium-tier: the premium tier gets the most accurate model, everyone else the fast one", async () => {
    const premium = await system.router.infer(request(mnist[1]!, "example-premium-tier", { tier: "premium" }));
    expect({ model: premium.model?.name, rule: premium.rule }).toEqual({ model: "digits-general", rule: "premium" });
    expect(await chosen(mnist[1]!, "example-premium-tier", { tier: "free" })).toBe("digits-lite");
    expect(await chosen(mnist[1]!, "example-premium-tier")).toBe("digits-lite");
  });

  it("high-value: an amount of 10,000 or more reaches the most accurate model; less, or a malformed amount, the fast one", async () => {
    expect(await chosen(mnist[2]!, "example-high-value", { metadata: { amount: "25000" } })).toBe("digits-general");
    expect(await chosen(mnist[2]!, "example-high-value", { metadata: { amount: "120.50" } })).toBe("digits-lite");
    const malformed = await system.router.explain({ request: request(mnist[2]!, "example-high-value", { metadata: { amount: "lots" } }) });
    expect(malformed.decision?.target?.model?.name).toBe("digits-lite");
    const rule = malformed.decision?.explanation?.policies.find((p) => p.policy === "example-high-value")?.rules[0];
    expect(rule?.matched).toBe(false);
    expect(rule?.error).not.toBe("");
  });

  it("best-above-threshold: the standard-resolution model of at least 95 % wins, and Explain says why each other lost", async () => {
    const explained = await system.router.explain({ request: request(mnist[4]!, "example-best-above-threshold") });
    expect(explained.decision?.target?.model?.name).toBe("digits-general");
    const reasons = new Map((explained.decision?.explanation?.candidates ?? []).map((c) => [c.model?.name, c.reason]));
    expect(reasons.get("digits-lite")).toContain("candidate.metrics.accuracy >= 0.95");
    expect(reasons.get("digits-lowres-specialist")).toContain("resolution");
    const response = await system.router.infer(request(mnist[4]!, "example-best-above-threshold"));
    expect(topLabel(response)).toBe(mnist[4]!.label);
  });

  it("ab-split: 70/30 over 1,000 users within 4 points, and each user keeps their arm, on Explain and on Infer alike", async () => {
    const users = Array.from({ length: 1000 }, (_, i) => `ab-user-${i}`);
    const { share, on } = await shareOf("example-ab-split", "digits-lite", users);
    expect(Math.abs(share - 0.3)).toBeLessThan(0.04);
    for (const userId of users.slice(0, 20)) {
      const response = await system.router.infer(request(mnist[5]!, "example-ab-split", { userId }));
      expect({ userId, model: response.model?.name }).toEqual({ userId, model: on.has(userId) ? "digits-lite" : "digits-general" });
    }
  });

  it("least-loaded: both models serve under concurrent load, and Explain scores each candidate by its requests in flight", async () => {
    const explained = await system.router.explain({ request: request(mnist[8]!, "example-least-loaded") });
    const scored = (explained.decision?.explanation?.candidates ?? []).map((c) => [c.model?.name, c.metric, typeof c.score]);
    expect(scored.sort()).toEqual([
      ["digits-general", "in_flight", "number"],
      ["digits-lite", "in_flight", "number"],
    ]);
    const served = new Map<string, number>();
    const client = async () => {
      for (let i = 0; i < 50; i++) {
        const response = await system.router.infer(request(mnist[8]!, "example-least-loaded"));
        expect(topLabel(response)).toBe(mnist[8]!.label);
        served.set(response.model?.name ?? "", (served.get(response.model?.name ?? "") ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    expect([...served.keys()].sort()).toEqual(["digits-general", "digits-lite"]);
    for (const count of served.values()) expect(count).toBeGreaterThan(400 * 0.2);
  });

  it("gradual-rollout: 5 %, then 25 %, then 100 % by applying revisions, nobody moving back; a rollback restores 5 %", async () => {
    const users = Array.from({ length: 1000 }, (_, i) => `rollout-user-${i}`);
    const base = example("gradual-rollout");
    const first = await applyAndWait(base);
    const five = await shareOf(base.name, "digits-lite", users);
    expect(Math.abs(five.share - 0.05)).toBeLessThan(0.025);

    const quarter = clone(PolicySchema, base);
    quarter.defaultRoute!.targets[0]!.weight = 25;
    quarter.defaultRoute!.targets[1]!.weight = 75;
    await applyAndWait(quarter);
    const twentyFive = await shareOf(base.name, "digits-lite", users);
    expect(Math.abs(twentyFive.share - 0.25)).toBeLessThan(0.04);
    expect([...five.on].filter((user) => !twentyFive.on.has(user))).toEqual([]);

    const all = clone(PolicySchema, base);
    all.defaultRoute!.targets = [all.defaultRoute!.targets[0]!];
    all.defaultRoute!.targets[0]!.weight = 0;
    all.defaultRoute!.strategy = 0;
    all.defaultRoute!.stickyKey = "";
    await applyAndWait(all);
    expect((await shareOf(base.name, "digits-lite", users.slice(0, 100))).share).toBe(1);

    const { policy: old } = await system.registry.getPolicy({ name: base.name, revision: first });
    await applyAndWait(old!);
    const back = await shareOf(base.name, "digits-lite", users);
    expect([...back.on].sort()).toEqual([...five.on].sort());
  });

  it("default: with no other policy deciding, each modality reaches its general model; the others are rejected for their modality", async () => {
    expect(await chosen(mnist[6]!, "example-default")).toBe("digits-general");
    expect(await chosen(payloadOf("language"), "example-default")).toBe("text-langid");
    expect(await chosen(payloadOf("spoken-digit"), "example-default")).toBe("audio-spoken-digits");
    const explained = await system.router.explain({ request: request(payloadOf("vibration"), "example-default") });
    expect(explained.decision?.target?.model?.name).toBe("sensor-fault-general");
    const rejected = (explained.decision?.explanation?.candidates ?? []).filter((c) => c.model?.name !== "sensor-fault-general");
    expect(rejected.length).toBe(3);
    for (const candidate of rejected) expect(candidate.reason).toMatch(/accepts \w+; input is tabular/);
  });

  it("guarded: the healthy guarded model serves, and Explain shows no candidate degraded", async () => {
    const explained = await system.router.explain({ request: request(mnist[2]!, "example-guarded") });
    expect(explained.decision?.target?.model?.name).toBe("digits-lite");
    expect((explained.decision?.explanation?.candidates ?? []).map((c) => c.reason).join("\n")).not.toContain("degraded");
    const response = await system.router.infer(request(mnist[2]!, "example-guarded"));
    expect(topLabel(response)).toBe(mnist[2]!.label);
  });

  it("experiment: the registry lists the running experiment, the control first, undecided until it has its samples", async () => {
    const { experiments } = await eventually(async () => {
      const listed = await system.registry.listExperiments({ policy: "example-experiment" });
      if (listed.experiments.length === 0) throw new Error("the experiment is not listed yet");
      return listed;
    });
    expect(experiments.map((e) => [e.name, e.outcome])).toEqual([["lite-vs-general", undefined]]);
    expect(experiments[0]!.arms.map((a) => a.model?.name)).toEqual(["digits-general", "digits-lite"]);
    expect(experiments[0]!.note).toMatch(/200/);
  });

  it("bandit: a scan's decision names the bandit, carries its features, and records the exact chance of its choice", async () => {
    const explained = await system.router.explain({ request: request(lowres[0]!, "example-bandit", { metadata: { image_type: "lowres_scan" } }) });
    const decision = explained.decision!;
    expect(decision.bandit).toMatch(/^example-bandit\/default#[0-9a-f]{8}$/);
    expect(decision.features).toEqual([1, 1]);
    expect(decision.propensity).toBeGreaterThan(0);
    expect(decision.propensity).toBeLessThanOrEqual(1);
    expect(["digits-general", "digits-lowres-specialist"]).toContain(decision.target?.model?.name);
  });

  // Last: it registers a broken version 2 of digits-general, which every other example would then choose.
  it("fallback: when the primary cannot run, the simpler model answers within the same request, and the answer says so", async () => {
    const general = loadDemoModels().find((m) => m.name === "digits-general")!;
    const broken = clone(ModelSchema, general);
    broken.version = "2";
    if (broken.backend?.kind.case === "onnx") {
      broken.backend.kind.value.uri = "digits-general/missing-v2.onnx";
      broken.backend.kind.value.sha256 = "";
    }
    await system.registry.registerModel({ model: broken });
    const response = await eventually(async () => {
      const answer = await system.router.infer(request(mnist[7]!, "example-fallback"));
      if (answer.attempts[0]?.model?.version !== "2") throw new Error("the decision engine does not know version 2 yet");
      return answer;
    });
    expect(response.fallbackUsed).toBe(true);
    expect(response.model?.name).toBe("digits-lite");
    expect(response.attempts.map((a) => [a.model?.name, a.model?.version, a.code]).at(-1)).toEqual(["digits-lite", "1", Code.OK]);
    expect(response.attempts.slice(0, -1).every((a) => a.model?.name === "digits-general" && a.code === Code.UNAVAILABLE)).toBe(true);
    expect(topLabel(response)).toBe(mnist[7]!.label);
  });
});
