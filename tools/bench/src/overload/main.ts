import { spawn } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { encodeBaselineResponse, encodeBenchRequest } from "../grpc/payloads.js";
import { loadgenArgs } from "../loadgen/loadgen-options.js";
import { numberOption, positive } from "../number-option.js";
import { readRssMib } from "../proc/proc-read.js";
import { runLoadgen } from "../run/run-loadgen.js";
import type { RunningScenario } from "../scenarios/running-scenario.js";
import { startScenario } from "../scenarios/start-scenario.js";
import { overloadChecks, type OverloadFigures } from "./overload-checks.js";
import type { OverloadLoadResult } from "./overload-loadgen.js";

/**
 * The overload benchmark (`npm run overload -w @modelrouter/bench`, reliability.md OVL-1): starts co-located
 * modelrouter, measures its capacity C (closed loop, 32 in flight), then for each admission mode (by default
 * `off` then `adaptive`, each on a fresh system) offers 0.5·C for the baseline and 2·C for `--duration` seconds
 * (open model), and reports goodput/C, the refusals' latency, the accepted p99 against the baseline's, the
 * processes' RSS before and after, and whether every process is still alive.
 */
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const { values } = parseArgs({
  options: {
    duration: { type: "string" },
    baseline: { type: "string" },
    capacity: { type: "string" },
    modes: { type: "string" },
    out: { type: "string" },
  },
});
const problems: string[] = [];
const durationS = numberOption("duration", values.duration, 60, positive, "a positive number of seconds", problems);
const baselineS = numberOption("baseline", values.baseline, 20, positive, "a positive number of seconds", problems);
const givenCapacity =
  values.capacity === undefined ? undefined : numberOption("capacity", values.capacity, 0, positive, "a positive number of requests/s", problems);
const modes = (values.modes ?? "off,adaptive").split(",").map((m) => m.trim());
for (const mode of modes) if (mode !== "off" && mode !== "adaptive") problems.push(`--modes must list off and/or adaptive, comma-separated, got "${mode}"`);
const out = values.out ?? fileURLToPath(new URL("../../results/overload.json", import.meta.url));
if (problems.length > 0) {
  for (const problem of problems) log(problem);
  process.exit(2);
}

const generator = fileURLToPath(new URL("./overload-loadgen.js", import.meta.url));
const workDir = await mkdtemp(join(tmpdir(), "modelrouter-overload-"));
const request = encodeBenchRequest();
const requestFile = join(workDir, "request.bin");
await writeFile(requestFile, request);

/** Runs the overload generator at `rate` for `seconds` against `address`. */
function offer(address: string, rate: number, seconds: number): Promise<OverloadLoadResult> {
  const args = loadgenArgs({
    target: address,
    path: "/modelrouter.router.v1.RouterService/Infer",
    requestFile,
    mode: { kind: "open", ratePerSecond: rate, arrival: "poisson", maxInFlight: 20_000 },
    warmupS: 2,
    durationS: seconds,
    connections: 4,
    deadlineMs: 10_000,
    seed: 1,
    progressS: 0,
    exitWithStdin: false,
  });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [generator, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    const killer = setTimeout(() => child.kill("SIGKILL"), (seconds + 80) * 1000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(killer);
      if (code !== 0) reject(new Error(`the overload generator exited with ${code}`));
      else resolve(JSON.parse(stdout) as OverloadLoadResult);
    });
  });
}

const rssOf = (scenario: RunningScenario): number => scenario.processes.reduce((sum, p) => sum + (readRssMib(p.pid) ?? 0), 0);
const alive = (scenario: RunningScenario): boolean => scenario.processes.every((p) => readRssMib(p.pid) !== undefined);

let capacity = givenCapacity;
const results: OverloadFigures[] = [];
try {
  for (const mode of modes) {
    log(`co-located modelrouter, admission ${mode}: starting…`);
    const scenario = await startScenario("colocated", {
      request,
      baselineResponse: encodeBaselineResponse(),
      workDir,
      // The services' own default tenant limits, which the other benchmark scenarios lift: this command measures them.
      env: { MODELROUTER_ADMISSION: mode, MODELROUTER_TENANT_LIMITS: undefined },
    });
    try {
      if (capacity === undefined) {
        const closed = await runLoadgen({
          target: scenario.address,
          path: "/modelrouter.router.v1.RouterService/Infer",
          requestFile,
          mode: { kind: "closed", concurrency: 32 },
          warmupS: 2,
          durationS: 8,
          connections: 4,
          deadlineMs: 10_000,
          seed: 1,
          progressS: 0,
        });
        capacity = closed.achievedRate * (1 - closed.errors / Math.max(1, closed.completed));
        log(`  capacity C = ${capacity.toFixed(0)} req/s (closed loop, 32 in flight, ${closed.errors} errors)`);
      }
      const c = capacity;
      const baseline = await offer(scenario.address, c / 2, baselineS);
      const rssBefore = rssOf(scenario);
      log(`  0.5·C baseline: OK p99 ${(baseline.okLatencyUs.p99 / 1000).toFixed(1)} ms, ${JSON.stringify(baseline.statusCounts)}, RSS ${rssBefore.toFixed(0)} MiB`);
      const overload = await offer(scenario.address, 2 * c, durationS);
      const rssAfter = rssOf(scenario);
      const figures: OverloadFigures = {
        mode,
        capacity: c,
        offered: 2 * c,
        durationS,
        goodputShare: overload.goodput / c,
        statusCounts: overload.statusCounts,
        rejectionP50Ms: overload.rejectionLatencyUs.p50 / 1000,
        rejectionP99Ms: overload.rejectionLatencyUs.p99 / 1000,
        otherErrorP99Ms: overload.otherErrorLatencyUs.p99 / 1000,
        baselineP99Ms: baseline.okLatencyUs.p99 / 1000,
        acceptedP99Ms: overload.okLatencyUs.p99 / 1000,
        rssBeforeMib: rssBefore,
        rssAfterMib: rssAfter,
        alive: alive(scenario),
        dropped: overload.dropped,
      };
      results.push(figures);
      log(
        `  2·C for ${durationS} s: goodput ${figures.goodputShare.toFixed(2)}·C, ${JSON.stringify(overload.statusCounts)}, refusals p50 ` +
          `${figures.rejectionP50Ms.toFixed(1)} ms p99 ${figures.rejectionP99Ms.toFixed(1)} ms, accepted p99 ${figures.acceptedP99Ms.toFixed(1)} ms ` +
          `(baseline ${figures.baselineP99Ms.toFixed(1)} ms), RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MiB, alive ${figures.alive}`,
      );
      for (const check of overloadChecks(figures)) log(`    ${check.pass ? "PASS" : "FAIL"}  ${check.name}: ${check.measured} (target ${check.target})`);
    } finally {
      await scenario.stop().catch((error: unknown) => log(`  did not stop cleanly: ${String(error)}`));
    }
  }
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
  log(`wrote ${out}`);
} finally {
  await rm(workDir, { recursive: true, force: true });
}
