import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { BenchOptions } from "../cli-options.js";
import { INFER_PATH } from "../grpc/raw-grpc.js";
import { encodeBaselineResponse, encodeBenchRequest } from "../grpc/payloads.js";
import type { LoadgenResult } from "../loadgen/loadgen-result.js";
import { readRssMib } from "../proc/proc-read.js";
import { replaceSection } from "../report/doc-sections.js";
import { describeMachine, type MachineInfo } from "../report/machine-info.js";
import { RSS_LIMIT_MIB } from "../report/targets.js";
import { runLoadgen } from "../run/run-loadgen.js";
import { startScenarios, stopScenarios } from "../scenarios/start-scenario.js";
import { rssTrends, type RssSample, type RssTrend } from "./rss-trend.js";

/** The soak's machine-readable result. */
export interface SoakResult {
  readonly startedAt: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly minutes: number;
  readonly ratePerSecond: number;
  readonly warmupS: number;
  readonly samples: readonly RssSample[];
  readonly trends: readonly RssTrend[];
  readonly load: LoadgenResult;
}

/** Samples before this point of a soak are not used for the trend: a quarter of it, at most 5 minutes. */
export function soakWarmupS(minutes: number): number {
  return Math.min(300, minutes * 15);
}

const SAMPLE_EVERY_S = 10;

/**
 * The soak: modelrouter distributed (tracing off) under a modest open-model rate for `soakMinutes`, the RSS of
 * every process sampled every 10 s; reports each process's slope (MiB/min) after the warm-up and whether it
 * is flat. Writes `soak.json` next to the benchmark's JSON and the `bench:soak` section of the docs.
 */
export async function runSoak(
  options: BenchOptions,
  deps: { readonly repoRoot: string; readonly command: string; readonly log: (line: string) => void },
): Promise<SoakResult> {
  const minutes = options.soakMinutes ?? 30;
  const { log } = deps;
  const startedAt = new Date().toISOString();
  const workDir = await mkdtemp(join(tmpdir(), "modelrouter-soak-"));
  const request = encodeBenchRequest();
  const requestFile = join(workDir, "request.bin");
  await writeFile(requestFile, request);
  const running = await startScenarios(
    ["distributed"],
    {
      request,
      baselineResponse: encodeBaselineResponse(),
      workDir,
      ...(options.executorWorkers === undefined ? {} : { env: { MODELROUTER_EXECUTOR_WORKERS: String(options.executorWorkers) } }),
    },
    log,
  );
  try {
    const system = running[0]!;
    const samples: RssSample[] = [];
    const t0 = Date.now();
    const sample = (): void => {
      const mib: Record<string, number> = {};
      for (const p of system.processes) {
        const rss = readRssMib(p.pid);
        if (rss !== undefined) mib[p.name] = rss;
      }
      samples.push({ atS: (Date.now() - t0) / 1000, mib });
      log(`  ${((Date.now() - t0) / 60_000).toFixed(1)} min: ${Object.entries(mib).map(([n, v]) => `${n} ${v.toFixed(0)}`).join(", ")} MiB`);
    };
    log(`soak: distributed, ${options.soakRate} req/s for ${minutes} min, RSS every ${SAMPLE_EVERY_S} s`);
    sample();
    const timer = setInterval(sample, SAMPLE_EVERY_S * 1000);
    let load: LoadgenResult;
    try {
      load = await runLoadgen({
        target: system.address,
        path: INFER_PATH,
        requestFile,
        mode: { kind: "open", ratePerSecond: options.soakRate, arrival: "uniform", maxInFlight: 512 },
        warmupS: 0,
        durationS: minutes * 60,
        connections: 1,
        deadlineMs: 10_000,
        seed: options.seed,
        progressS: options.verbose ? 10 : 0,
      }, { onProgress: (line) => log(`    ${line}`) });
    } finally {
      clearInterval(timer);
    }
    sample();
    const warmupS = soakWarmupS(minutes);
    const result: SoakResult = {
      startedAt,
      command: deps.command,
      machine: describeMachine(deps.repoRoot, undefined),
      minutes,
      ratePerSecond: options.soakRate,
      warmupS,
      samples,
      trends: rssTrends(samples, warmupS),
      load,
    };
    const jsonPath = join(dirname(options.jsonPath), "soak.json");
    await mkdir(dirname(jsonPath), { recursive: true });
    await writeFile(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
    if (options.docsPath !== undefined) {
      const doc = await readFile(options.docsPath, "utf8").catch(() => "# Benchmarks\n");
      await writeFile(options.docsPath, replaceSection(doc, "soak", renderSoak(result)));
    }
    for (const t of result.trends) log(`  ${t.process}: ${t.slopeMibPerMin.toFixed(3)} MiB/min, ${t.flat ? "flat" : "GROWING"}`);
    log(`soak result: ${jsonPath}`);
    return result;
  } finally {
    await stopScenarios(running, log);
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The Markdown of a soak result: setup, then one row per process. */
export function renderSoak(result: SoakResult): string {
  const f = (n: number, d = 0): string => (Number.isFinite(n) ? n.toFixed(d) : "–");
  const rows = result.trends.map(
    (t) =>
      `| ${t.process} | ${f(t.firstMib)} | ${f(t.lastMib)} | ${f(t.maxMib)} | ${f(t.slopeMibPerMin, 3)} | ${f(t.projected30MinShare * 100, 1)} % | ${t.flat ? "flat" : "**growing**"} | ${t.maxMib <= RSS_LIMIT_MIB ? "yes" : "**no**"} |`,
  );
  const l = result.load.latencyUs;
  return [
    `### Soak of ${result.startedAt.slice(0, 10)}: ${result.minutes} min at ${result.ratePerSecond} req/s, distributed, tracing off`,
    "",
    `Command: \`${result.command}\`. RSS sampled every ${SAMPLE_EVERY_S} s; the trend ignores the first ${f(result.warmupS)} s. ` +
      `${result.load.completed.toLocaleString("en-US")} requests, ${result.load.errors} errors, p50 ${f(l.p50 / 1000, 2)} ms, p99 ${f(l.p99 / 1000, 2)} ms, p99.9 ${f(l.p999 / 1000, 2)} ms.` +
      (result.minutes < 30 ? ` This soak is shorter than the 30 minutes of the target: indicative only.` : ""),
    "",
    "| process | RSS after warm-up, MiB | at the end | highest | slope, MiB/min | projected growth over 30 min | trend | ≤ 150 MB |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}
