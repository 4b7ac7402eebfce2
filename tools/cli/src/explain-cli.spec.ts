import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { CandidateRole, ExplainResponseSchema, InstanceHealth, Modality } from "@modelrouter/contracts";
import { explainLines } from "./explain-output.js";
import { capture } from "./io.test-support.js";
import { main } from "./main.js";
import { whatIfOf } from "./what-if-args.js";

const DRAFT = `name: digits
priority: 100
defaultRoute:
  targets: [{ model: { name: digits-lite } }]
`;

describe("modelrouter explain with a what-if policy", () => {
  let dir: string;
  let draft: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "modelrouter-explain-"));
    draft = join(dir, "draft.yaml");
    await writeFile(draft, DRAFT);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("sends the policy in --policy-file as an unsaved body, read as `policies apply -f` reads it", () => {
    const whatIf = whatIfOf({ "policy-file": draft });
    expect(whatIf?.kind?.case).toBe("policy");
    expect(whatIf?.kind?.value).toMatchObject({ name: "digits", priority: 100 });
  });

  it("sends --revision N as a reference to revision N of the policy --policy names, or else the draft's", () => {
    expect(whatIfOf({ revision: "42", policy: "text" })).toEqual({ kind: { case: "revision", value: { name: "text", revision: 42n } } });
    expect(whatIfOf({ revision: "7", "policy-file": draft })).toEqual({ kind: { case: "revision", value: { name: "digits", revision: 7n } } });
    expect(whatIfOf({ policy: "digits" })).toBeUndefined();
  });

  it.each([
    [["--revision", "3"], "--revision 3: name its policy with --policy NAME, for example --policy digits --revision 3"],
    [["--revision", "latest", "--policy", "digits"], '--revision latest: expected a revision listed by "policies history NAME"'],
    [["--policy-file", "/nonexistent/draft.yaml"], "--policy-file /nonexistent/draft.yaml: no such file; give the YAML or JSON file of the policy to explain"],
    [["--output", "yaml"], "--output yaml: expected table (the default) or json"],
  ])("refuses explain %j before calling, naming the option and the fix (exit 2)", async (options, message) => {
    const io = capture();
    expect(await main(["--router", "127.0.0.1:9", "explain", "--text", "hello", ...options], io, {})).toBe(2);
    expect(io.errText()).toContain(message);
  });

  it("refuses a --policy-file with several policies, or one that is not a policy, naming the file", async () => {
    const two = join(dir, "two.yaml");
    await writeFile(two, `${DRAFT}---\nname: other\n`);
    const io = capture();
    expect(await main(["--router", "127.0.0.1:9", "explain", "--text", "hi", "--policy-file", two], io, {})).toBe(2);
    expect(io.errText()).toContain(`--policy-file ${two}: holds 2 policies; give a file with exactly the one to explain`);
    const typo = join(dir, "typo.yaml");
    await writeFile(typo, "name: digits\nrulez: []\n");
    const io2 = capture();
    expect(await main(["--router", "127.0.0.1:9", "explain", "--text", "hi", "--policy-file", typo], io2, {})).toBe(2);
    expect(io2.errText()).toContain(`--policy-file ${typo}: not a valid modelrouter.registry.v1.Policy`);
  });

  it("prints the decision, then every candidate with role, score, metric and reason, then every policy and rule", () => {
    const response = create(ExplainResponseSchema, {
      profile: { modality: Modality.IMAGE, mimeType: "image/png" },
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      decision: {
        target: { model: { name: "digits-general", version: "1" } },
        fallbacks: [{ model: { name: "digits-lite", version: "1" } }],
        policy: "digits",
        policyRevision: 0n,
        rule: "premium-tier",
        explanation: {
          summary: 'what-if (draft of policy "digits"): policy "digits" rule "premium-tier" chose digits-general@1',
          candidates: [
            { model: { name: "digits-general", version: "1" }, role: CandidateRole.TARGET, score: 0.9812, metric: "accuracy", reason: "highest accuracy" },
            { model: { name: "digits-lite", version: "1" }, role: CandidateRole.REJECTED, score: 0.9391, metric: "accuracy", failedConstraint: "candidate.metrics.accuracy >= 0.95" },
            { model: { name: "digits-lowres-specialist", version: "1" }, role: CandidateRole.NOT_CHOSEN, reason: "modality mismatch" },
          ],
          policies: [
            { policy: "text", applies: false, note: "does not apply: its when is false" },
            {
              policy: "digits",
              applies: true,
              decided: true,
              rules: [
                { rule: "lowres-scans", matched: false },
                { rule: "tiny-images", matched: false, error: "no such key: width" },
                { rule: "premium-tier", matched: true },
              ],
            },
          ],
        },
      },
    });
    const lines = explainLines(response);
    expect(lines.slice(0, 5)).toEqual([
      'decision   digits-general@1 by policy "digits" (revision 0, a draft), rule "premium-tier"',
      "fallbacks  digits-lite@1",
      'summary    what-if (draft of policy "digits"): policy "digits" rule "premium-tier" chose digits-general@1',
      "input      image image/png",
      "trace      4bf92f3577b34da6a3ce929d0e0e4736",
    ]);
    const cells = (line: string) => line.split(/\s{2,}/);
    const tables = lines.slice(6);
    expect(tables.slice(0, 4).map(cells)).toEqual([
      ["CANDIDATE", "ROLE", "SCORE", "METRIC", "REASON"],
      ["digits-general@1", "target", "0.9812", "accuracy", "highest accuracy"],
      ["digits-lite@1", "rejected", "0.9391", "accuracy", "fails candidate.metrics.accuracy >= 0.95"],
      ["digits-lowres-specialist@1", "not chosen", "-", "-", "modality mismatch"],
    ]);
    expect(tables[4]).toBe("");
    expect(tables.slice(5).map(cells)).toEqual([
      ["POLICY", "RULE", "RESULT"],
      ["text", "-", "does not apply: its when is false"],
      ["digits", "lowres-scans", "no match"],
      ["digits", "tiny-images", "failed: no such key: width"],
      ["digits", "premium-tier", "matched, decided"],
    ]);
  });

  it("prints a random choice's propensity and split key, and no propensity line for a certain one", () => {
    const split = create(ExplainResponseSchema, {
      decision: {
        target: { model: { name: "digits-lite", version: "1" } },
        policy: "ab",
        policyRevision: 7n,
        propensity: 0.3,
        explanation: { splitKey: "request.user_id" },
      },
    });
    expect(explainLines(split).slice(0, 3)).toEqual([
      'decision   digits-lite@1 by policy "ab" (revision 7), default route',
      "split key  request.user_id",
      "propensity 0.3 (the chance the strategy chose this target)",
    ]);
    const certain = create(ExplainResponseSchema, { decision: { target: { model: { name: "digits-general", version: "1" } }, policy: "p", policyRevision: 1n, propensity: 1 } });
    expect(explainLines(certain).some((line) => line.startsWith("propensity"))).toBe(false);
  });

  it("ends with the router's executor instances and their health, when it reports them", () => {
    const response = create(ExplainResponseSchema, {
      decision: { target: { model: { name: "digits-general", version: "1" } }, policy: "p", policyRevision: 1n },
      instances: [
        { instance: "10.0.0.5:50055", health: InstanceHealth.HEALTHY, inFlight: 3 },
        { instance: "10.0.0.6:50055", health: InstanceHealth.EJECTED, reason: "ejected for 2 s: 5 attempts in a row got no answer" },
      ],
    });
    const lines = explainLines(response);
    expect(lines.slice(-3).map((line) => line.split(/\s{2,}/))).toEqual([
      ["INSTANCE", "HEALTH", "IN FLIGHT", "REASON"],
      ["10.0.0.5:50055", "healthy", "3", "-"],
      ["10.0.0.6:50055", "ejected", "0", "ejected for 2 s: 5 attempts in a row got no answer"],
    ]);
    expect(lines.at(-4)).toBe("");
    expect(explainLines(create(ExplainResponseSchema, {})).some((line) => line.startsWith("INSTANCE"))).toBe(false);
  });
});
