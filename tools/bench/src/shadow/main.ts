import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { readFileSync } from "node:fs";
import { create, fromJson, toBinary } from "@bufbuild/protobuf";
import { InferRequestSchema, PolicySchema, type RegistryService, type ShadowResult } from "@modelrouter/contracts";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { Code, type ServiceClient } from "@modelrouter/rpc-kit";
import { type RunningSystem, repoRoot, startModelrouter } from "@modelrouter/testing";
import { replaceSection } from "../report/doc-sections.js";
import { describeMachine } from "../report/machine-info.js";
import { runLoadgen } from "../run/run-loadgen.js";
import { parseShadowOptions } from "./shadow-options.js";
import { type ShadowArm, type ShadowBenchResult, type ShadowOutcomes, renderShadowMarkdown } from "./shadow-report.js";

/**
 * The shadow benchmark: `node tools/bench/dist/shadow/main.js [options]` (see `--help`). A co-located modelrouter
 * serves one policy with two identical rules but for a shadow; two load generators, one per rule, run side by
 * side at the same open-model rate, so that both arms see the same machine. The p50/p99 of each arm, and the
 * shadows' outcomes from the decision log, go to `tools/bench/results/shadow.json` and the `bench:shadow`
 * section of `docs/benchmarks.md`.
 */
const INFER_PATH = "/modelrouter.router.v1.RouterService/Infer";
const POLICY = "shadow-bench";
const log = (line: string): void => void process.stderr.write(`${line}\n`);

const route = (shadowed: boolean) => ({
  targets: [{ model: { name: "digits-general" } }],
  ...(shadowed ? { shadows: [{ model: { name: "digits-lite" } }] } : {}),
});
const policy = fromJson(PolicySchema, {
  name: POLICY,
  rules: [
    { name: "plain", when: 'request.metadata["arm"] == "plain"', route: route(false) },
    { name: "shadowed", when: 'request.metadata["arm"] == "shadowed"', route: route(true) },
  ],
});

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : (sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN);
}

async function shadowOutcomes(registry: ServiceClient<typeof RegistryService>): Promise<ShadowOutcomes> {
  const results: ShadowResult[] = [];
  let records = 0;
  let pageToken = "";
  for (let page = 0; page < 200; page++) {
    const { decisions, nextPageToken } = await registry.listDecisions({ policy: POLICY, rule: "shadowed", pageSize: 500, pageToken });
    records += decisions.length;
    for (const d of decisions) results.push(...d.shadows);
    if (nextPageToken === "") break;
    pageToken = nextPageToken;
  }
  const answered = results.filter((r) => r.code === Code.OK);
  const dropped = results.filter((r) => r.message.startsWith("dropped:")).length;
  const shed = results.filter((r) => r.code === Code.RESOURCE_EXHAUSTED && !r.message.startsWith("dropped:")).length;
  return {
    records,
    answered: answered.length,
    dropped,
    shed,
    failed: results.length - answered.length - dropped - shed,
    sameTopLabelShare: answered.length === 0 ? Number.NaN : answered.filter((r) => r.sameTopLabel).length / answered.length,
    meanScoreDistance: answered.length === 0 ? Number.NaN : answered.reduce((sum, r) => sum + (r.scoreDistance ?? 0), 0) / answered.length,
    medianShadowLatencyMs: median(answered.map((r) => r.latencyMs)),
  };
}

let options;
try {
  options = parseShadowOptions(process.argv.slice(2), repoRoot);
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
const command = ["node", relative(repoRoot, process.argv[1] ?? "tools/bench/dist/shadow/main.js"), ...process.argv.slice(2)].join(" ");
const startedAt = new Date().toISOString();
const workDir = await mkdtemp(join(tmpdir(), "modelrouter-shadow-"));
const digit = loadSampleIndex().find((s) => s.kind === "mnist")!;
let system: RunningSystem | undefined;
let failed = false;
try {
  log("  starting a co-located modelrouter…");
  system = await startModelrouter("co-located", {
    OTEL_SDK_DISABLED: "true",
    MODELROUTER_SHADOW_MAX_IN_FLIGHT: String(options.maxShadowsInFlight),
  });
  const zoo = loadDemoModels();
  for (const name of ["digits-general", "digits-lite"]) await system.registry.registerModel({ model: zoo.find((m) => m.name === name)! });
  await system.registry.applyPolicy({ policy });
  const files = { plain: join(workDir, "plain.bin"), shadowed: join(workDir, "shadowed.bin") };
  for (const arm of ["plain", "shadowed"] as const) {
    const request = create(InferRequestSchema, {
      payload: { kind: { case: "image", value: { data: readFileSync(digit.path), mimeType: "image/png" } } },
      metadata: { arm },
    });
    await writeFile(files[arm], toBinary(InferRequestSchema, request));
  }
  const end = Date.now() + 30_000;
  for (;;) {
    const explained = await system.router
      .explain({ request: { payload: { kind: { case: "image", value: { data: readFileSync(digit.path) } } }, metadata: { arm: "shadowed" } } })
      .catch(() => undefined);
    if (explained?.decision?.shadows.length === 1) break;
    if (Date.now() > end) throw new Error("the policy never reached the decision engine");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  log(`  two arms side by side, ${options.ratePerArm} req/s each, ${options.warmupS} s + ${options.durationS} s…`);
  const run = (arm: "plain" | "shadowed", seed: number) =>
    runLoadgen({
      target: system!.routerAddress,
      path: INFER_PATH,
      requestFile: files[arm],
      mode: { kind: "open", ratePerSecond: options.ratePerArm, arrival: "poisson", maxInFlight: 512 },
      warmupS: options.warmupS,
      durationS: options.durationS,
      connections: 1,
      deadlineMs: 10_000,
      seed,
      progressS: 0,
    });
  const [plain, shadowed] = await Promise.all([run("plain", options.seed), run("shadowed", options.seed + 1000)]);
  const arm = (name: ShadowArm["name"], r: typeof plain): ShadowArm => ({
    name,
    achievedRate: r.achievedRate,
    completed: r.completed,
    errors: r.errors + r.warmupErrors,
    latencyUs: r.latencyUs,
  });
  // the last shadows finish and their records are written off the request path
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const result: ShadowBenchResult = {
    startedAt,
    command,
    machine: describeMachine(repoRoot, undefined),
    ratePerArm: options.ratePerArm,
    warmupS: options.warmupS,
    durationS: options.durationS,
    maxShadowsInFlight: options.maxShadowsInFlight,
    arms: [arm("without a shadow", plain), arm("with a shadow", shadowed)],
    outcomes: await shadowOutcomes(system.registry),
    loadAverage: loadavg()[0] ?? Number.NaN,
  };
  await mkdir(dirname(options.jsonPath), { recursive: true });
  await writeFile(options.jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  const markdown = renderShadowMarkdown(result);
  log(`\n${markdown}`);
  if (options.docsPath !== undefined) {
    await writeFile(options.docsPath, replaceSection(await readFile(options.docsPath, "utf8"), "shadow", markdown));
  }
  log(`result: ${options.jsonPath}${options.docsPath === undefined ? "" : `, report: ${options.docsPath}`}`);
} catch (error) {
  failed = true;
  log(`the shadow benchmark could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await system?.stop().catch(() => undefined);
  await rm(workDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
