import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchOptions } from "../cli-options.js";
import { encodeBaselineResponse, encodeBenchRequest, grpcFrame } from "../grpc/payloads.js";
import { H2LOAD_INSTALL_HINT, findH2load } from "../h2load/h2load.js";
import { clockTicksPerSecond, readRssMib } from "../proc/proc-read.js";
import { describeMachine } from "../report/machine-info.js";
import type { RunningScenario } from "../scenarios/running-scenario.js";
import { startScenarios, stopScenarios } from "../scenarios/start-scenario.js";
import type { BenchContext } from "./bench-context.js";
import type { BenchResult, ScenarioInfo } from "./bench-result.js";
import { capacityRun, loadgenRun } from "./phases.js";
import type { RunRecord } from "./run-record.js";
import { runLoadgen } from "./run-loadgen.js";
import { INFER_PATH } from "../grpc/raw-grpc.js";

const sleep = (seconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

function rssOf(scenario: RunningScenario): Record<string, number> {
  const rss: Record<string, number> = {};
  for (const p of scenario.processes) {
    const mib = readRssMib(p.pid);
    if (mib !== undefined) rss[p.name] = mib;
  }
  return rss;
}

/** What the orchestrator needs besides the options. */
export interface FullBenchmarkDeps {
  readonly repoRoot: string;
  readonly command: string;
  readonly log: (line: string) => void;
}

/**
 * The full benchmark: starts every selected scenario (baselines and modelrouter, each as real processes),
 * warms them up and reads their idle RSS, then for each repetition runs each measurement — the gRPC status
 * check under load, capacity (h2load), c1, and each open-model rate — across all scenarios in turn
 * (interleaved, so that drift on the shared machine hits all alike), each after waiting for a quiet machine.
 */
export async function runFullBenchmark(options: BenchOptions, deps: FullBenchmarkDeps): Promise<BenchResult> {
  const { log } = deps;
  const startedAt = new Date().toISOString();
  const notes: string[] = [];
  const h2load = findH2load();
  if (h2load === undefined) {
    log(H2LOAD_INSTALL_HINT);
    notes.push(`${H2LOAD_INSTALL_HINT}; capacity runs were skipped`);
  }
  const machine = describeMachine(deps.repoRoot, h2load?.version);
  const workDir = await mkdtemp(join(tmpdir(), "modelrouter-bench-"));
  const request = encodeBenchRequest();
  const requestFile = join(workDir, "request.bin");
  const bodyFile = join(workDir, "request.grpc");
  await writeFile(requestFile, request);
  await writeFile(bodyFile, grpcFrame(request));

  let running: RunningScenario[] = [];
  const stopAll = (): void => void stopScenarios(running, log).finally(() => process.exit(130));
  process.once("SIGINT", stopAll);
  try {
    log(`starting ${options.scenarios.length} scenario(s)`);
    running = await startScenarios(
      options.scenarios,
      {
        request,
        baselineResponse: encodeBaselineResponse(),
        workDir,
        ...(options.executorWorkers === undefined ? {} : { env: { MODELROUTER_EXECUTOR_WORKERS: String(options.executorWorkers) } }),
      },
      log,
    );
    const ctx: BenchContext = {
      ticksPerSecond: clockTicksPerSecond(),
      log,
      ownProcesses: () => running.flatMap((s) => s.processes),
      quiet: { maxBusyPct: options.quietMaxBusyPct, maxWaitS: options.quietMaxWaitS },
      requestFile,
      bodyFile,
      seed: options.seed,
      verbose: options.verbose,
    };

    log("warming up (3 s at 4 in flight each), then reading idle RSS");
    for (const scenario of running) {
      await runLoadgen({
        target: scenario.address,
        path: INFER_PATH,
        requestFile,
        mode: { kind: "closed", concurrency: 4 },
        warmupS: 0,
        durationS: 3,
        connections: 1,
        deadlineMs: 10_000,
        seed: options.seed,
        progressS: 0,
      });
    }
    await sleep(5);
    const idle = new Map(running.map((s) => [s.spec.id, rssOf(s)]));

    const runs: RunRecord[] = [];
    // What each scenario sustains in this repetition: the lower of h2load's capacity and the Node client's
    // closed-loop throughput (the Node load generator shares the two cores, so it saturates the system sooner).
    const capacity = new Map<string, { readonly value: number; readonly what: string }>();
    const lower = (id: string, value: number, what: string): void => {
      const known = capacity.get(id);
      if (known === undefined || value < known.value) capacity.set(id, { value, what });
    };
    const record = (r: RunRecord): void => {
      runs.push(r);
      const what = r.skipped !== undefined ? `skipped: ${r.skipped}` : summarize(r);
      log(`    ${r.scenario} ${r.phase}${r.rate === undefined ? "" : ` ${r.rate}/s`}: ${what}`);
    };
    for (let repetition = 1; repetition <= options.repeat; repetition++) {
      log(`repetition ${repetition}/${options.repeat}`);
      capacity.clear();
      log("  gRPC status check under load (Node client)");
      for (const s of running) {
        const r = await loadgenRun(ctx, s, { phase: "verify", repetition }, {
          mode: { kind: "closed", concurrency: options.verifyConcurrency },
          warmupS: 1,
          durationS: options.verifyDurationS,
        });
        record(r);
        lower(s.spec.id, r.throughput ?? 0, `the Node client's throughput at ${options.verifyConcurrency} in flight`);
      }
      if (h2load !== undefined) {
        log("  capacity (h2load)");
        for (const s of running) {
          const r = await capacityRun(ctx, s, { phase: "capacity", repetition }, {
            settings: options.h2load,
            warmupS: options.capacityWarmupS,
            durationS: options.capacityDurationS,
          });
          record(r);
          lower(s.spec.id, r.throughput ?? 0, "the h2load capacity");
        }
      }
      log("  latency at one request in flight (c1)");
      for (const s of running) {
        record(await loadgenRun(ctx, s, { phase: "c1", repetition }, { mode: { kind: "closed", concurrency: 1 }, warmupS: options.warmupS, durationS: options.durationS }));
      }
      for (const rate of options.rates) {
        log(`  latency at ${rate} req/s (open model)`);
        for (const s of running) {
          const cap = capacity.get(s.spec.id) ?? { value: 0, what: "no capacity" };
          if (rate > options.maxRateShare * cap.value) {
            record({
              scenario: s.spec.id,
              phase: "rate",
              rate,
              repetition,
              skipped: `above ${Math.round(options.maxRateShare * 100)} % of ${cap.what} (${cap.value.toFixed(0)} req/s)`,
            });
            continue;
          }
          record(
            await loadgenRun(ctx, s, { phase: "rate", repetition, rate }, {
              mode: { kind: "open", ratePerSecond: rate, arrival: "uniform", maxInFlight: 512 },
              warmupS: options.warmupS,
              durationS: options.durationS,
            }),
          );
        }
      }
    }

    const scenarios: ScenarioInfo[] = running.map((s) => ({
      id: s.spec.id,
      label: s.spec.label,
      processes: s.processes.map((p) => p.name),
      responseBytes: s.responseBytes,
      idleRssMib: idle.get(s.spec.id) ?? {},
      finalRssMib: rssOf(s),
    }));
    return {
      startedAt,
      finishedAt: new Date().toISOString(),
      command: deps.command,
      machine,
      options,
      requestBytes: request.length,
      notes,
      scenarios,
      runs,
    };
  } finally {
    process.off("SIGINT", stopAll);
    await stopScenarios(running, log);
    await rm(workDir, { recursive: true, force: true });
  }
}

function summarize(r: RunRecord): string {
  const parts = [`${(r.throughput ?? 0).toFixed(0)} req/s`];
  if (r.latencyUs !== undefined) parts.push(`p50 ${(r.latencyUs.p50 / 1000).toFixed(2)} ms`, `p99 ${(r.latencyUs.p99 / 1000).toFixed(2)} ms`);
  if ((r.errors ?? 0) > 0) parts.push(`ERRORS ${r.errors}`);
  if (r.spans !== undefined) parts.push(`spans/req ${r.spans.perRequest.toFixed(2)}${r.spans.missing.length > 0 ? ` MISSING ${r.spans.missing.join("; ")}` : ""}`);
  parts.push(`foreign ${(r.foreignPct ?? 0).toFixed(0)} %`);
  return parts.join(", ");
}
