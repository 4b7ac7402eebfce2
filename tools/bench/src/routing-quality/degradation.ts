import { readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { create, fromJson } from "@bufbuild/protobuf";
import { ModelSchema, ModelStatus, PolicySchema, type RouterService } from "@modelrouter/contracts";
import { loadDemoModels } from "@modelrouter/model-zoo";
import type { ServiceClient } from "@modelrouter/rpc-kit";
import { type RunningSystem, repoRoot, startModelrouter } from "@modelrouter/testing";
import { replaceSection } from "../report/doc-sections.js";
import { describeMachine, type MachineInfo } from "../report/machine-info.js";
import { type ShiftSample, trafficMoved } from "./traffic-shift.js";
import { buildWorkload, type WorkloadItem } from "./workload.js";

/**
 * The degradation benchmark: `node tools/bench/dist/routing-quality/degradation.js [--docs FILE|none] [--seed N]`.
 * Five processes (distributed), the executor injecting faults on purpose (`MODELROUTER_EXECUTOR_FAULTS`), default
 * guard settings but for each policy's thresholds. Two runs:
 *
 * - **failing**: digits-lite, a guarded route's target, fails half its requests (UNAVAILABLE) from the first one;
 *   digits-general is the fallback. Measured: the share of requests that still succeed, and the time until the
 *   route's decisions leave digits-lite (down to its probe share).
 * - **degraded**: digits-general serves with label feedback, then version 2 — the zoo's noisy-weights model, 88.6 %
 *   accurate against 97 % — is registered mid-run and becomes the route's target; the guard's `min_accuracy` must
 *   take it out. Measured: requests decided to version 2 before traffic left it.
 *
 * Results go to `tools/bench/results/degradation.json` and the `bench:degradation` section of docs/benchmarks.md.
 */
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const CONCURRENCY = 4;
const SPAN = { span: 40, maxShare: 0.2 };

const failingPolicy = {
  name: "degradation-failing",
  when: 'request.metadata["bench"] == "failing"',
  defaultRoute: {
    targets: [{ model: { name: "digits-lite" } }],
    fallbacks: [{ model: { name: "digits-general" } }],
    guard: { maxErrorRate: 0.2, minSamples: 20 },
  },
};
const degradedPolicy = {
  name: "degradation-accuracy",
  when: 'request.metadata["bench"] == "degraded"',
  defaultRoute: {
    targets: [{ model: { name: "digits-general" } }],
    fallbacks: [{ model: { name: "digits-lite" } }],
    guard: { minAccuracy: 0.93, minSamples: 100, hold: "120s" },
  },
};

interface Sent extends ShiftSample {
  readonly requestId: string;
}

async function send(
  router: ServiceClient<typeof RouterService>,
  item: WorkloadItem,
  bench: string,
  t0: number,
  feedback: boolean,
): Promise<Sent> {
  const atMs = performance.now() - t0;
  try {
    const response = await router.infer(
      { payload: { kind: { case: "image", value: { data: item.png, mimeType: "image/png" } } }, metadata: { bench } },
      { timeoutMs: 10_000 },
    );
    const first = response.attempts[0]?.model;
    if (feedback) await router.submitFeedback({ requestId: response.requestId, feedback: { case: "label", value: item.label } }, { timeoutMs: 10_000 });
    return { atMs, requestId: response.requestId, firstAttempt: first === undefined ? "" : `${first.name}@${first.version}`, ok: true };
  } catch {
    return { atMs, requestId: "", firstAttempt: "", ok: false };
  }
}

/** Sends items round-robin from `items`, CONCURRENCY at a time, until `until` says stop; returns every request in send order. */
async function drive(
  router: ServiceClient<typeof RouterService>,
  items: readonly WorkloadItem[],
  bench: string,
  t0: number,
  feedback: boolean,
  until: (sent: readonly Sent[]) => boolean,
): Promise<Sent[]> {
  const sent: Sent[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!until(sent)) {
      const item = items[next++ % items.length]!;
      sent.push(await send(router, item, bench, t0, feedback));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return sent.sort((a, b) => a.atMs - b.atMs);
}

export interface DegradationResult {
  readonly startedAt: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly failing: { readonly requests: number; readonly succeeded: number; readonly movedAfterMs: number | undefined; readonly targetShareAfter: number };
  readonly degraded: {
    readonly requestsBefore: number;
    readonly requestsToVersion2: number;
    readonly movedAfterRequests: number | undefined;
    readonly targetShareAfter: number;
    readonly accuracyBefore: number;
  };
}

function share(samples: readonly ShiftSample[], model: string): number {
  return samples.length === 0 ? Number.NaN : samples.filter((s) => s.firstAttempt === model).length / samples.length;
}

export function renderDegradationMarkdown(r: DegradationResult): string {
  const ms = (x: number | undefined): string => (x === undefined ? "never" : `${(x / 1000).toFixed(1)} s`);
  const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : "–");
  return [
    `Measured ${r.startedAt} on ${r.machine.cores} × ${r.machine.cpuModel}, Node ${r.machine.node}; \`${r.command}\`. Five processes,`,
    `${CONCURRENCY} clients, the default health window (30 s) and probe share (5 %); "moved" is the first run of ${SPAN.span} requests with at most`,
    `${pct(SPAN.maxShare)} decided to the model.`,
    "",
    "| run | target | result |",
    "|---|---|---|",
    `| one model failing 50 % (\`max_error_rate 0.2\`) | ≥ 99 % succeed, moved ≤ 5 s | ${pct(r.failing.succeeded / r.failing.requests)} of ${r.failing.requests} succeeded; moved after ${ms(r.failing.movedAfterMs)}; ${pct(r.failing.targetShareAfter)} still decided to it afterwards (probes) |`,
    `| a degraded version appears mid-run (\`min_accuracy 0.93\`) | routed around within ≤ 500 requests | ${r.degraded.movedAfterRequests === undefined ? "never routed around" : `routed around after ${r.degraded.movedAfterRequests} requests`} (${r.degraded.requestsToVersion2} decided to version 2 in all; version 1 was ${pct(r.degraded.accuracyBefore)} accurate); ${pct(r.degraded.targetShareAfter)} still decided to it afterwards |`,
  ].join("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const docsArg = args[args.indexOf("--docs") + 1];
  const docsPath = args.includes("--docs") ? (docsArg === "none" ? undefined : docsArg) : join(repoRoot, "docs/benchmarks.md");
  const seed = args.includes("--seed") ? Number(args[args.indexOf("--seed") + 1]) : 1;
  const command = ["node", relative(repoRoot, process.argv[1] ?? "tools/bench/dist/routing-quality/degradation.js"), ...args].join(" ");
  const startedAt = new Date().toISOString();
  const digits = buildWorkload({ seed, learning: 0, evaluation: 400, scanShare: 0, taggedScanShare: 0 }).evaluation;
  let system: RunningSystem | undefined;
  try {
    log("  starting five processes, digits-lite failing 50 % of its requests on purpose…");
    system = await startModelrouter("distributed", {
      OTEL_SDK_DISABLED: "true",
      MODELROUTER_EXECUTOR_FAULTS: JSON.stringify([{ model: "digits-lite", abort: { share: 0.5, code: "UNAVAILABLE" } }]),
    });
    const zoo = loadDemoModels();
    for (const name of ["digits-general", "digits-lite"]) await system.registry.registerModel({ model: zoo.find((m) => m.name === name)! });
    await system.registry.applyPolicy({ policy: fromJson(PolicySchema, failingPolicy) });
    await system.registry.applyPolicy({ policy: fromJson(PolicySchema, degradedPolicy) });
    await new Promise((resolve) => setTimeout(resolve, 2000));

    log("  failing: 20 s of traffic to a route whose target fails half its requests…");
    let t0 = performance.now();
    const failing = await drive(system.router, digits, "failing", t0, false, () => performance.now() - t0 > 20_000);
    const moved = trafficMoved(failing, "digits-lite", SPAN);

    log("  degraded: version 1 serves with feedback, then version 2 (noisy weights) is registered…");
    t0 = performance.now();
    const before = await drive(system.router, digits, "degraded", t0, true, (sent) => sent.length >= 600);
    const accuracyBefore = await accuracyOf(system, before);
    const degradedEntry = zoo.find((m) => m.name === "digits-general-degraded")!;
    const version2 = create(ModelSchema, { ...degradedEntry, name: "digits-general", version: "2", status: ModelStatus.ACTIVE });
    await system.registry.registerModel({ model: version2 });
    t0 = performance.now();
    const after = await drive(system.router, digits, "degraded", t0, true, (sent) => {
      const m = trafficMoved(sent, "digits-general@2", SPAN);
      return sent.length >= 3000 || (m !== undefined && sent.length >= m.index + 4 * SPAN.span);
    });
    const appeared = after.findIndex((s) => s.firstAttempt === "digits-general@2");
    const degradedMoved = appeared < 0 ? undefined : trafficMoved(after.slice(appeared), "digits-general@2", SPAN);
    const result: DegradationResult = {
      startedAt,
      command,
      machine: describeMachine(repoRoot, undefined),
      failing: {
        requests: failing.length,
        succeeded: failing.filter((s) => s.ok).length,
        movedAfterMs: moved?.atMs,
        targetShareAfter: moved === undefined ? Number.NaN : share(failing.slice(moved.index), "digits-lite@1"),
      },
      degraded: {
        requestsBefore: before.length,
        requestsToVersion2: after.filter((s) => s.firstAttempt === "digits-general@2").length,
        movedAfterRequests: degradedMoved?.index,
        targetShareAfter: degradedMoved === undefined ? Number.NaN : share(after.slice(appeared + degradedMoved.index), "digits-general@2"),
        accuracyBefore,
      },
    };
    const jsonPath = join(repoRoot, "tools/bench/results/degradation.json");
    await mkdir(dirname(jsonPath), { recursive: true });
    await writeFile(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
    const markdown = renderDegradationMarkdown(result);
    log(`\n${markdown}`);
    if (docsPath !== undefined) await writeFile(docsPath, replaceSection(await readFile(docsPath, "utf8"), "degradation", markdown));
  } finally {
    await system?.stop();
  }
}

/** The accuracy of the answers to `sent`, from the feedback the registry recorded on their decisions. */
async function accuracyOf(system: RunningSystem, sent: readonly Sent[]): Promise<number> {
  let right = 0;
  let labelled = 0;
  for (const s of sent.filter((x) => x.ok)) {
    const { decision } = await system.registry.getDecision({ requestId: s.requestId });
    if (decision?.feedback === undefined) continue;
    labelled++;
    if (decision.feedback.correct) right++;
  }
  return labelled === 0 ? Number.NaN : right / labelled;
}

try {
  await main();
  process.exit(0);
} catch (error) {
  log(`degradation benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
