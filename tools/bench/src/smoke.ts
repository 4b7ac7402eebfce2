import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { encodeBaselineResponse, encodeBenchRequest, grpcFrame } from "./grpc/payloads.js";
import { clockTicksPerSecond } from "./proc/proc-read.js";
import type { BenchContext } from "./run/bench-context.js";
import { loadgenRun } from "./run/phases.js";
import type { RunRecord } from "./run/run-record.js";
import type { RunningScenario } from "./scenarios/running-scenario.js";
import { startScenarios, stopScenarios } from "./scenarios/start-scenario.js";
import { DEFAULT_SMOKE_LIMITS, smokeChecks, type SmokeFigures, type SmokePair } from "./smoke-checks.js";

/**
 * The CI smoke benchmark (`npm run smoke` in tools/bench, or `nx run bench:smoke`): under 60 s, the echo
 * baseline and co-located modelrouter (tracing off), each at one request in flight and in a short closed
 * loop, alternately, three times; checks the median of the side-by-side ratios with generous margins (see
 * smoke-checks.ts) and exits 1 if one fails.
 */
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const { values } = parseArgs({
  options: {
    "max-added-c1-p50-us": { type: "string" },
    "min-throughput-share": { type: "string" },
    "max-cpu-ratio": { type: "string" },
  },
});
const limits = {
  maxAddedC1P50Us: Number(values["max-added-c1-p50-us"] ?? DEFAULT_SMOKE_LIMITS.maxAddedC1P50Us),
  minThroughputShare: Number(values["min-throughput-share"] ?? DEFAULT_SMOKE_LIMITS.minThroughputShare),
  maxCpuRatio: Number(values["max-cpu-ratio"] ?? DEFAULT_SMOKE_LIMITS.maxCpuRatio),
};

const REPETITIONS = 3;
const started = Date.now();
const workDir = await mkdtemp(join(tmpdir(), "modelrouter-smoke-"));
const request = encodeBenchRequest();
await writeFile(join(workDir, "request.bin"), request);
await writeFile(join(workDir, "request.grpc"), grpcFrame(request));
let running: RunningScenario[] = [];
let failed = true;
try {
  running = await startScenarios(["echo", "colocated"], { request, baselineResponse: encodeBaselineResponse(), workDir }, log);
  const ctx: BenchContext = {
    ticksPerSecond: clockTicksPerSecond(),
    log,
    ownProcesses: () => running.flatMap((s) => s.processes),
    // No waiting for a quiet machine: the smoke must finish in a minute, and its margins absorb the noise.
    quiet: { maxBusyPct: 1000, maxWaitS: 0 },
    requestFile: join(workDir, "request.bin"),
    bodyFile: join(workDir, "request.grpc"),
    seed: 1,
    verbose: false,
  };
  const measure = async (scenario: RunningScenario, repetition: number): Promise<SmokeFigures> => {
    const warmupS = repetition === 1 ? 1 : 0.5;
    const c1 = await loadgenRun(ctx, scenario, { phase: "c1", repetition }, { mode: { kind: "closed", concurrency: 1 }, warmupS, durationS: 2 });
    const closed = await loadgenRun(ctx, scenario, { phase: "verify", repetition }, { mode: { kind: "closed", concurrency: 16 }, warmupS, durationS: 2.5 });
    const serverCpu = (r: RunRecord): number => scenario.processes.reduce((sum, p) => sum + (r.cpuUsPerRequest?.[p.name] ?? 0), 0);
    const f: SmokeFigures = {
      c1P50Us: c1.latencyUs?.p50 ?? Number.NaN,
      closedThroughput: closed.throughput ?? 0,
      closedServerCpuUs: serverCpu(closed),
      errors: (c1.errors ?? 0) + (closed.errors ?? 0),
    };
    log(
      `  ${repetition}. ${scenario.spec.id}: c1 p50 ${(f.c1P50Us / 1000).toFixed(2)} ms, c16 ${f.closedThroughput.toFixed(0)} req/s, ` +
        `server CPU ${f.closedServerCpuUs.toFixed(0)} µs/req, errors ${f.errors} (foreign CPU ${(closed.foreignPct ?? 0).toFixed(0)} %)`,
    );
    return f;
  };
  const [echo, colocated] = running as [RunningScenario, RunningScenario];
  const pairs: SmokePair[] = [];
  for (let repetition = 1; repetition <= REPETITIONS; repetition++) {
    pairs.push({ echo: await measure(echo, repetition), colocated: await measure(colocated, repetition) });
  }
  const checks = smokeChecks(pairs, limits);
  for (const c of checks) log(`  ${c.pass ? "PASS" : "FAIL"}  ${c.name}: ${c.measured} (limit ${c.limit})`);
  failed = checks.some((c) => !c.pass);
  log(`smoke ${failed ? "FAILED" : "passed"} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (error) {
  log(`smoke could not run: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
} finally {
  await stopScenarios(running, log);
  await rm(workDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
