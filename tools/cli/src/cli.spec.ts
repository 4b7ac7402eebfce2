import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { PolicySchema } from "@modelrouter/contracts";
import { loadDemoModels } from "@modelrouter/model-zoo";
import { capture } from "./io.test-support.js";
import { main } from "./main.js";
import { readManifests } from "./manifests.js";
import { modelTable } from "./models-command.js";
import { policyTable } from "./policies-command.js";
import { inferRequestOf } from "./payload-args.js";

describe("the modelrouter CLI", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "modelrouter-cli-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("prints its usage and exits 2 when called without a command", async () => {
    const io = capture();
    expect(await main([], io, {})).toBe(2);
    expect(io.outText()).toContain("modelrouter infer");
  });

  it("names an unknown command, with the usage, exit 2", async () => {
    const io = capture();
    expect(await main(["frobnicate"], io, {})).toBe(2);
    expect(io.errText()).toContain('unknown command "frobnicate"');
  });

  it("builds an inference request from options: image with MIME type from the extension, metadata, identity", async () => {
    const image = join(dir, "x.png");
    await writeFile(image, Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const request = inferRequestOf({ image, meta: ["image_type=lowres_scan", "a=b=c"], tier: "free", "request-id": "r1" });
    expect(request.payload?.kind).toEqual({ case: "image", value: { data: Buffer.from([0x89, 0x50, 0x4e, 0x47]), mimeType: "image/png" } });
    expect(request.metadata).toEqual({ image_type: "lowres_scan", a: "b=c" });
    expect(request).toMatchObject({ tier: "free", requestId: "r1" });
  });

  it("refuses two inputs, or metadata without '='", async () => {
    const io = capture();
    expect(await main(["infer", "--text", "a", "--json", "{}"], io, {})).toBe(2);
    expect(io.errText()).toContain("give exactly one input");
    const io2 = capture();
    expect(await main(["infer", "--text", "a", "--meta", "novalue"], io2, {})).toBe(2);
    expect(io2.errText()).toContain("--meta novalue: expected key=value");
  });

  it("reads several YAML documents from one manifest, and names the file and document of a bad one", async () => {
    const file = join(dir, "policies.yaml");
    await writeFile(file, "name: a\nrules: []\n---\nname: b\npriority: 3\n");
    expect(readManifests(PolicySchema, [file]).map((p) => [p.name, p.priority])).toEqual([
      ["a", 0],
      ["b", 3],
    ]);
    const bad = join(dir, "bad.yaml");
    await writeFile(bad, "name: a\n---\nnmae: b\n");
    expect(() => readManifests(PolicySchema, [bad])).toThrow(`${bad} (document 2): not a valid modelrouter.registry.v1.Policy`);
  });

  it("reports a failed call with its code and exits 1", async () => {
    const io = capture();
    // Nothing listens on port 9 of loopback: the call fails fast with UNAVAILABLE.
    expect(await main(["--router", "127.0.0.1:9", "--timeout", "2000", "infer", "--text", "hi"], io, {})).toBe(1);
    expect(io.errText()).toMatch(/^error: (UNAVAILABLE|DEADLINE_EXCEEDED): /);
  });

  it("lists model versions as a table with their status, so that a STAGING version does not look live", () => {
    const lines = modelTable(loadDemoModels().filter((m) => m.name.startsWith("digits-")));
    expect(lines.map((line) => line.split(/\s{2,}/).slice(0, 5))).toEqual([
      ["NAME", "VERSION", "STATUS", "MODALITY", "TASK"],
      ["digits-general", "1", "ACTIVE", "image", "digit-classification"],
      ["digits-general-degraded", "1", "STAGING", "image", "digit-classification"],
      ["digits-lite", "1", "ACTIVE", "image", "digit-classification"],
      ["digits-lowres-specialist", "1", "ACTIVE", "image", "digit-classification"],
    ]);
    expect(lines[0]).toMatch(/ LABELS$/);
    expect(lines[2]).toMatch(/  domain=digits,resolution=standard,variant=degraded$/);
    // Aligned columns: every row's status starts under the header's.
    expect(new Set(lines.map((line) => line.search(/STATUS|ACTIVE|STAGING/)))).toEqual(new Set([lines[0]!.indexOf("STATUS")]));
  });

  it("shows an empty cell as '-', so that every row has every column", () => {
    const [, row] = modelTable([{ ...loadDemoModels().find((m) => m.name === "digits-general")!, task: "", labels: {} }]);
    expect(row!.split(/\s+/)).toEqual(["digits-general", "1", "ACTIVE", "image", "-", "onnx:digits-general/model.onnx", "-", "-"]);
  });

  it("shows a model's and a policy's tenant in a TENANT column, '-' for a shared one", () => {
    const general = loadDemoModels().find((m) => m.name === "digits-general")!;
    const [header, row] = modelTable([{ ...general, tenant: "acme" }]);
    expect(header!.split(/\s{2,}/)).toEqual(["NAME", "VERSION", "STATUS", "MODALITY", "TASK", "BACKEND", "TENANT", "LABELS"]);
    expect(row!.split(/\s{2,}/)[6]).toBe("acme");
    const policies = policyTable([create(PolicySchema, { name: "shared", priority: 5, revision: 7n }), create(PolicySchema, { name: "acme-first", tenant: "acme", rules: [{}] })]);
    expect(policies.map((line) => line.split(/\s+/))).toEqual([
      ["NAME", "PRIORITY", "RULES", "REVISION", "TENANT"],
      ["shared", "5", "0", "7", "-"],
      ["acme-first", "0", "1", "0", "acme"],
    ]);
  });

  it("refuses an unknown --status or --modality, or a bad --page-size, naming the choices (exit 2, no call)", async () => {
    for (const [args, message] of [
      [["--status", "live"], "--status live: expected one of active, staging, deprecated, retired"],
      [["--modality", "video"], "--modality video: expected one of text, image, audio, tabular, tensor, binary"],
      [["--page-size", "0"], "--page-size 0: expected a count of 1 to 500"],
      [["--label", "=x"], "--label =x: expected key=value"],
    ] as const) {
      const io = capture();
      expect(await main(["--registry", "127.0.0.1:9", "models", "list", ...args], io, {})).toBe(2);
      expect(io.errText()).toContain(message);
    }
  });

  it("documents --create-only, which refuses to replace a policy of the same name", async () => {
    const io = capture();
    expect(await main(["--help"], io, {})).toBe(0);
    expect(io.outText()).toContain("modelrouter policies apply -f FILE|DIR... [--dry-run] [--create-only]");
    expect(io.outText()).toContain("--create-only refuses to replace one");
  });
});
