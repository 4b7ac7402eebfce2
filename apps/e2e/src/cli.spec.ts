import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { main, type Io } from "@modelrouter/cli";
import { catalogueDir, loadSampleIndex } from "@modelrouter/model-zoo";
import { startModelrouter, type RunningSystem } from "@modelrouter/testing";

function capture(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (t) => void lines.push(t), err: (t) => void errors.push(t) };
}

describe("the CLI against a running modelrouter (co-located)", () => {
  let system: RunningSystem;
  const run = (io: Io, ...args: string[]) =>
    main(["--router", system.routerAddress, "--registry", system.registryAddress, ...args], io, {});

  beforeAll(async () => {
    system = await startModelrouter("co-located");
  });
  afterAll(() => system.stop());

  it("seeds the demo (the model zoo and its policy), and doing it again changes nothing", async () => {
    const first = capture();
    expect(await run(first, "seed", "--demo")).toBe(0);
    expect(first.errors).toEqual(expect.arrayContaining([expect.stringMatching(/^registered model digits-general@1/), expect.stringMatching(/^policy digits created/)]));
    const again = capture();
    expect(await run(again, "seed", "--demo")).toBe(0);
    expect(again.errors).toEqual(expect.arrayContaining(["model digits-general@1 is already registered", expect.stringMatching(/^policy digits updated/)]));
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

  it("lists the registered models", async () => {
    const io = capture();
    expect(await run(io, "models", "list", "--label", "domain=digits")).toBe(0);
    expect(io.lines.map((l) => l.split("\t")[0])).toEqual([
      "digits-general@1",
      "digits-general-degraded@1",
      "digits-lite@1",
      "digits-lowres-specialist@1",
    ]);
  });

  it("checks a policy without storing it, and reports a bad one with its position (exit 1)", async () => {
    const good = capture();
    expect(await run(good, "policies", "apply", "--dry-run", "-f", join(catalogueDir(), "policies"))).toBe(0);
    expect(good.errors[0]).toMatch(/^policy digits is valid/);

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
