import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { main, type Io } from "@modelrouter/cli";
import { catalogueDir, loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { startModelrouter, type RunningSystem } from "@modelrouter/testing";

function capture(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (t) => void lines.push(t), err: (t) => void errors.push(t) };
}

interface CapturedIo extends Io {
  readonly lines: string[];
  readonly errors: string[];
  outText(): string;
  errText(): string;
}

function captured(): CapturedIo {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (text) => void lines.push(text),
    err: (text) => void errors.push(text),
    outText: () => lines.join("\n"),
    errText: () => errors.join("\n"),
  };
}

/** The README's example policy ("Register a model, apply a policy"), under a name of the caller's choice. */
function examplePolicy(name: string): string {
  return `name: ${name}
priority: 100
when: input.modality == "image"
rules:
  - name: lowres-scans
    when: '"image_type" in request.metadata && request.metadata["image_type"] == "lowres_scan"'
    route:
      targets: [{ model: { name: digits-lowres-specialist } }]
      fallbacks: [{ model: { name: digits-general } }]
defaultRoute:
  targets: [{ selector: { matchLabels: { domain: digits, resolution: standard } } }]
`;
}

describe("the CLI against a running modelrouter (co-located)", () => {
  let system: RunningSystem;
  const run = (io: Io, ...args: string[]) =>
    main(["--router", system.routerAddress, "--registry", system.registryAddress, ...args], io, {});

  beforeAll(async () => {
    system = await startModelrouter("co-located");
  });
  afterAll(async () => {
    await system.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("seeds the demo (the model zoo and its policy), and doing it again changes nothing", async () => {
    const first = capture();
    expect(await run(first, "seed", "--demo")).toBe(0);
    expect(first.errors).toEqual(expect.arrayContaining([expect.stringMatching(/^registered model digits-general@1/), expect.stringMatching(/^created policy digits \(revision \d+\)$/)]));
    const again = capture();
    expect(await run(again, "seed", "--demo")).toBe(0);
    expect(again.errors).toEqual(expect.arrayContaining(["model digits-general@1 is already registered", expect.stringMatching(/^replaced policy digits \(revision \d+ → \d+\)$/)]));
  });

  it("infers with a file and metadata, printing the answer as JSON", async () => {
    const sample = loadSampleIndex().find((s) => s.kind === "lowres" && s.label === "4")!;
    let answer: { model: { name: string }; rule: string; outputs: { classification: { labels: { label: string }[] } }[] } | undefined;
    for (let i = 0; i < 50 && answer === undefined; i++) {
      const io = capture();
      if ((await run(io, "infer", "--image", sample.path, "--meta", "image_type=lowres_scan")) === 0) answer = JSON.parse(io.lines.join("\n"));
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answer?.model.name).toBe("digits-lowres-specialist");
    expect(answer?.rule).toBe("lowres-scans");
    expect(answer?.outputs[0]?.classification.labels[0]?.label).toBe("4");
  });


  let dir: string;
  const runCli = async (...args: string[]): Promise<{ code: number; io: CapturedIo }> => {
    const io = captured();
    const code = await run(io, "--timeout", "20000", ...args);
    return { code, io };
  };
  const policyFile = async (name: string): Promise<string> => {
    dir ??= await mkdtemp(join(tmpdir(), "modelrouter-cli-"));
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, examplePolicy(name));
    return file;
  };
  const revisionOf = async (policy: string): Promise<bigint> => {
    const { code, io } = await runCli("policies", "get", policy);
    expect(code).toBe(0);
    return BigInt((JSON.parse(io.outText()) as { policy: { revision: string } }).policy.revision);
  };

  describe("models list", () => {
    it("shows a table with each version's status, so that a STAGING version does not look live", async () => {
      const { code, io } = await runCli("models", "list");
      expect(code).toBe(0);
      const [header, ...rows] = io.lines.map((line) => line.split(/\s{2,}/));
      expect(header).toEqual(["NAME", "VERSION", "STATUS", "MODALITY", "TASK", "BACKEND", "TENANT", "LABELS"]);
      expect(rows.map((row) => row[0])).toEqual(loadDemoModels().map((m) => m.name));
      expect(rows.filter((row) => row[2] !== "ACTIVE").map((row) => row.slice(0, 3))).toEqual([["digits-general-degraded", "1", "STAGING"]]);
      const row = (name: string) => rows.find((r) => r[0] === name);
      expect(row("digits-general")).toEqual(["digits-general", "1", "ACTIVE", "image", "digit-classification", "onnx:digits-general/model.onnx", "-", expect.stringMatching(/^domain=digits,.*resolution=standard/)]);
      expect(row("text-langid")?.slice(3, 5)).toEqual(["text", "language-identification"]);
      expect(row("audio-spoken-digits")?.slice(3, 5)).toEqual(["audio", "spoken-digit-classification"]);
      // Columns are aligned: every row's status starts where the header's does.
      expect(new Set(io.lines.map((line) => line.search(/STATUS|ACTIVE|STAGING/)))).toEqual(new Set([io.lines[0]!.indexOf("STATUS")]));
    });

    it("filters by status and modality, and names a bad status with the choices", async () => {
      const staged = await runCli("models", "list", "--status", "staging", "--modality", "image");
      expect(staged.code).toBe(0);
      expect(staged.io.lines.slice(1).map((line) => line.split(/\s+/).slice(0, 3))).toEqual([["digits-general-degraded", "1", "STAGING"]]);

      const bad = await runCli("models", "list", "--status", "live");
      expect(bad.code).toBe(2);
      expect(bad.io.errText()).toContain("--status live: expected one of active, staging, deprecated, retired");
    });

    it("says on standard error that nothing matches, rather than printing an empty table", async () => {
      const { code, io } = await runCli("models", "list", "--name", "no-such-model");
      expect(code).toBe(0);
      expect(io.lines).toEqual([]);
      expect(io.errors).toEqual(["no model versions match"]);
    });
  });

  describe("policies apply", () => {
    it("says when it replaces an existing policy, from which revision to which", async () => {
      const before = await revisionOf("digits");
      const { code, io } = await runCli("policies", "apply", "-f", await policyFile("digits"));
      expect(code).toBe(0);
      const after = await revisionOf("digits");
      expect(after).toBeGreaterThan(before);
      expect(io.errors).toEqual([`replaced policy digits (revision ${before} → ${after})`]);
    });

    it("says when it creates a policy", async () => {
      const { code, io } = await runCli("policies", "apply", "-f", await policyFile("my-digits"));
      expect(code).toBe(0);
      expect(io.errors).toEqual([`created policy my-digits (revision ${await revisionOf("my-digits")})`]);
    });

    it("with --create-only, refuses to replace one: ALREADY_EXISTS naming the policy, and nothing changes", async () => {
      const before = await revisionOf("digits");
      const { code, io } = await runCli("policies", "apply", "--create-only", "-f", await policyFile("digits"));
      expect(code).toBe(1);
      expect(io.errors).toEqual([
        "policy digits:",
        `error: ALREADY_EXISTS: policy "digits" already exists (revision ${before}): give yours another name, or apply without --create-only to replace it`,
      ]);
      expect(await revisionOf("digits")).toBe(before);

      const created = await runCli("policies", "apply", "--create-only", "-f", await policyFile("fresh-digits"));
      expect(created.code).toBe(0);
      expect(created.io.errors).toEqual([`created policy fresh-digits (revision ${await revisionOf("fresh-digits")})`]);
    });

    it("with --dry-run, says what it would do and stores nothing", async () => {
      const before = await revisionOf("digits");
      const replace = await runCli("policies", "apply", "--dry-run", "-f", await policyFile("digits"));
      expect(replace.code).toBe(0);
      expect(replace.io.errors).toEqual([`policy digits is valid: would replace revision ${before}`]);

      const create = await runCli("policies", "apply", "--dry-run", "-f", await policyFile("not-yet"));
      expect(create.code).toBe(0);
      expect(create.io.errors).toEqual(["policy not-yet is valid: would create it"]);

      const refused = await runCli("policies", "apply", "--dry-run", "--create-only", "-f", await policyFile("digits"));
      expect(refused.code).toBe(1);
      expect(refused.io.errText()).toContain('error: ALREADY_EXISTS: policy "digits" already exists');

      expect(await revisionOf("digits")).toBe(before);
      expect((await runCli("policies", "get", "not-yet")).io.errText()).toContain("NOT_FOUND");
    });
  });
  it("checks a policy without storing it, and reports a bad one with its position (exit 1)", async () => {
    const good = capture();
    expect(await run(good, "policies", "apply", "--dry-run", "-f", join(catalogueDir(), "policies"))).toBe(0);
    expect(good.errors.map((line) => line.split(" is valid")[0]).sort()).toEqual(["policy audio", "policy digits", "policy tabular", "policy text"]);

    const dir = await mkdtemp(join(tmpdir(), "modelrouter-cli-"));
    const file = join(dir, "bad.yaml");
    await writeFile(file, "name: bad\nrules:\n  - name: r\n    when: request.tierr == 'free'\n    route: { targets: [{ model: { name: digits-lite } }] }\n");
    const bad = capture();
    expect(await run(bad, "policies", "apply", "-f", file)).toBe(1);
    expect(bad.errors.join("\n")).toMatch(/error: INVALID_ARGUMENT: .*policy\.rules\[0\]\.when/);
    expect(bad.errors.join("\n")).toContain("reason: POLICY_INVALID");
    await rm(dir, { recursive: true, force: true });
  });
});
