import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { fromJson, type JsonValue, type MessageInitShape } from "@bufbuild/protobuf";
import { main, type Io } from "@modelrouter/cli";
import { CandidateRole, type ExplainRequestSchema, PolicySchema } from "@modelrouter/contracts";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { Code, isRpcError, type RpcError } from "@modelrouter/rpc-kit";
import { startModelrouter, type RunningSystem } from "@modelrouter/testing";

jest.setTimeout(120_000);

const digit = loadSampleIndex().find((s) => s.kind === "mnist")!;
const request = { payload: { kind: { case: "image" as const, value: { data: readFileSync(digit.path), mimeType: "image/png" } } } };

type WhatIf = MessageInitShape<typeof ExplainRequestSchema>["whatIf"];

/** The applied policy: every image to the general model. */
const applied = (target: string) =>
  fromJson(PolicySchema, {
    name: "digits",
    priority: 100,
    when: 'input.modality == "image"',
    defaultRoute: { targets: [{ model: { name: target } }] },
  });

const CONSTRAINT = "candidate.metrics.accuracy >= 0.95";

/** The draft: the most accurate digit model above 95 %, over every digit model of the zoo. */
const DRAFT: JsonValue = {
  name: "digits",
  priority: 100,
  when: 'input.modality == "image"',
  defaultRoute: {
    strategy: "STRATEGY_BEST",
    metric: "accuracy",
    constraints: [CONSTRAINT],
    targets: ["digits-lite", "digits-general", "digits-lowres-specialist", "digits-general-degraded"].map((name) => ({ model: { name } })),
  },
};

const DRAFT_YAML = `name: digits
priority: 100
when: input.modality == "image"
defaultRoute:
  strategy: STRATEGY_BEST
  metric: accuracy
  constraints: ["${CONSTRAINT}"]
  targets:
    - model: { name: digits-lite }
    - model: { name: digits-general }
    - model: { name: digits-lowres-specialist }
`;

async function failure(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    if (isRpcError(error)) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

function captured(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (t) => void lines.push(t), err: (t) => void errors.push(t) };
}

describe("What-if Explain through the running services (distributed)", () => {
  let system: RunningSystem;
  let dir: string;
  let firstRevision: bigint;

  const explain = (whatIf?: WhatIf) => system.router.explain(whatIf === undefined ? { request } : { request, whatIf });
  const cli = async (...args: string[]) => {
    const io = captured();
    const code = await main(["--router", system.routerAddress, "--registry", system.registryAddress, ...args], io, {});
    return { code, out: io.lines.join("\n"), err: io.errors.join("\n") };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "modelrouter-what-if-"));
    system = await startModelrouter("distributed");
    for (const model of loadDemoModels().filter((m) => m.name.startsWith("digits-"))) await system.registry.registerModel({ model });
    firstRevision = (await system.registry.applyPolicy({ policy: applied("digits-general") })).policy!.revision;
    const end = Date.now() + 30_000;
    while ((await explain().catch(() => undefined))?.decision?.policyRevision !== firstRevision) {
      if (Date.now() > end) throw new Error("the policy never reached the decision engine");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    await system?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("explains an unsaved policy, showing every losing candidate with its reason: a failed constraint or a lower score", async () => {
    const { decision } = await explain({ kind: { case: "policy", value: fromJson(PolicySchema, DRAFT) } });

    expect(decision?.target?.model?.name).toBe("digits-lowres-specialist");
    expect([decision?.policy, decision?.policyRevision]).toEqual(["digits", 0n]);
    expect(decision?.explanation?.summary).toMatch(/^what-if \(draft of policy "digits"\): /);
    const candidates = decision?.explanation?.candidates ?? [];
    expect(candidates.map((c) => c.model?.name).sort()).toEqual(
      ["digits-general", "digits-general-degraded", "digits-lite", "digits-lowres-specialist"].sort(),
    );
    const target = candidates.find((c) => c.role === CandidateRole.TARGET)!;
    expect([target.metric, target.score]).toEqual(["accuracy", 0.9759]);
    const byName = (name: string) => candidates.find((c) => c.model?.name === name)!;
    expect(byName("digits-lite")).toMatchObject({ role: CandidateRole.REJECTED, failedConstraint: expect.stringContaining(CONSTRAINT) });
    expect(byName("digits-general")).toMatchObject({ metric: "accuracy", score: 0.97 });
    for (const loser of candidates.filter((c) => c.role !== CandidateRole.TARGET)) {
      expect({ model: loser.model?.name, reason: loser.reason }).toEqual({ model: loser.model?.name, reason: expect.stringMatching(/.+/) });
      const lost = loser.failedConstraint !== "" || (loser.score !== undefined && loser.score < target.score!) || loser.role === CandidateRole.REJECTED;
      expect({ model: loser.model?.name, lost }).toEqual({ model: loser.model?.name, lost: true });
    }
    // Nothing was stored: the applied policy still routes.
    const now = await explain();
    expect([now.decision?.target?.model?.name, now.decision?.policyRevision]).toEqual(["digits-general", firstRevision]);
  });

  it("refuses a draft that does not compile with INVALID_ARGUMENT at its what_if.policy paths", async () => {
    const bad = fromJson(PolicySchema, { name: "digits", rules: [{ name: "typo", when: 'input.modalty == "image"', route: { targets: [{ model: { name: "digits-lite" } }] } }] });
    const error = await failure(explain({ kind: { case: "policy", value: bad } }));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.violations.map((v) => v.field)).toEqual(["what_if.policy.rules[0].when"]);
  });

  it("explains a stored revision after a new apply, read from the registry by the decision engine", async () => {
    const second = (await system.registry.applyPolicy({ policy: applied("digits-lite") })).policy!.revision;
    const end = Date.now() + 30_000;
    while ((await explain()).decision?.policyRevision !== second) {
      if (Date.now() > end) throw new Error("the new apply never reached the decision engine");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const { decision } = await explain({ kind: { case: "revision", value: { name: "digits", revision: firstRevision } } });
    expect([decision?.target?.model?.name, decision?.policyRevision]).toEqual(["digits-general", firstRevision]);
    expect(decision?.explanation?.summary).toMatch(new RegExp(`^what-if \\(revision ${firstRevision} of policy "digits"\\): `));

    const missing = await failure(explain({ kind: { case: "revision", value: { name: "digits", revision: 999_999n } } }));
    expect(missing.code).toBe(Code.NOT_FOUND);
    expect(missing.message).toContain('policy "digits" has no revision 999999');
  });

  it("the CLI explains a --policy-file draft and a --revision as tables, and names a draft's mistake", async () => {
    const draftFile = join(dir, "draft.yaml");
    await writeFile(draftFile, DRAFT_YAML);
    const drafted = await cli("explain", "--image", digit.path, "--policy-file", draftFile);
    expect(drafted).toMatchObject({ code: 0, err: "" });
    const lines = drafted.out.split("\n");
    expect(lines[0]).toBe('decision   digits-lowres-specialist@1 by policy "digits" (revision 0, a draft), default route');
    expect(lines).toContainEqual(expect.stringMatching(/^CANDIDATE\s+ROLE\s+SCORE\s+METRIC\s+REASON$/));
    expect(lines).toContainEqual(expect.stringMatching(/^digits-lite@1\s+rejected\s+0\.932\s+accuracy\s+\S/));
    expect(lines).toContainEqual(expect.stringMatching(/^digits\s+\(default route\)\s+decided$/));

    const revised = await cli("explain", "--image", digit.path, "--policy", "digits", "--revision", String(firstRevision));
    expect(revised.code).toBe(0);
    expect(revised.out.split("\n")[0]).toBe(`decision   digits-general@1 by policy "digits" (revision ${firstRevision}), default route`);

    const badFile = join(dir, "bad.yaml");
    await writeFile(badFile, DRAFT_YAML.replace("metric: accuracy", "metric: acuracy"));
    const bad = await cli("explain", "--image", digit.path, "--policy-file", badFile);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^error: INVALID_ARGUMENT: /);
    expect(bad.err).toContain("  - what_if.policy.default_route.metric: ");
  });
});
