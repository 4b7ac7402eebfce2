import { answeredShare, startH2load } from "../h2load/h2load.js";
import { INFER_PATH } from "../grpc/raw-grpc.js";
import type { LoadgenMode } from "../loadgen/loadgen-options.js";
import type { RunningScenario } from "../scenarios/running-scenario.js";
import type { BenchContext } from "./bench-context.js";
import { measuredRun } from "./measured-run.js";
import type { H2loadAttempt, Phase, RunRecord } from "./run-record.js";
import { runLoadgen } from "./run-loadgen.js";

/** Where a run stands in the benchmark. */
export interface RunHead {
  readonly phase: Phase;
  readonly repetition: number;
  readonly rate?: number;
}

/** Options of {@link loadgenRun}. */
export interface LoadgenRunOptions {
  readonly mode: LoadgenMode;
  readonly warmupS: number;
  readonly durationS: number;
  readonly connections?: number;
}

/** One measured run of the Node load generator (open model or closed loop) against a scenario. */
export function loadgenRun(ctx: BenchContext, scenario: RunningScenario, head: RunHead, options: LoadgenRunOptions): Promise<RunRecord> {
  return measuredRun(ctx, scenario, head, async (probe) => {
    const result = await runLoadgen(
      {
        target: scenario.address,
        path: INFER_PATH,
        requestFile: ctx.requestFile,
        mode: options.mode,
        warmupS: options.warmupS,
        durationS: options.durationS,
        connections: options.connections ?? 1,
        deadlineMs: 10_000,
        seed: ctx.seed + head.repetition,
        progressS: ctx.verbose ? 1 : 0,
      },
      {
        onStart: (pid) => probe.addProcess("loadgen", pid),
        onMeasureStart: probe.markStart,
        onMeasureEnd: probe.markEnd,
        onProgress: (line) => ctx.log(`      ${line}`),
      },
    );
    return {
      completed: result.completed,
      ...(Number.isFinite(result.cpu.perRequestUs) ? { cpuUsPerRequest: { loadgen: result.cpu.perRequestUs } } : {}),
      record: {
        tool: "loadgen",
        completed: result.completed,
        throughput: result.achievedRate,
        latencyUs: result.latencyUs,
        errors: result.errors + result.warmupErrors,
        statusCounts: result.statusCounts,
        ...(result.schedule === undefined
          ? {}
          : { schedule: { dropped: result.schedule.dropped, late: result.schedule.late, sendLagP99Us: result.schedule.sendLagUs.p99 } }),
      },
    };
  });
}

/** Options of {@link capacityRun}. */
export interface CapacityRunOptions {
  /** h2load settings to try; the best is kept. */
  readonly settings: readonly { readonly connections: number; readonly streams: number }[];
  readonly warmupS: number;
  readonly durationS: number;
}

/** Below this share of full answers, h2load's "succeeded" hides gRPC errors. */
const MIN_ANSWERED_SHARE = 0.97;

/**
 * Capacity of a scenario: h2load (a C generator that saturates after the server does) at each setting, with
 * CPU per process over the measured part; the setting with the highest rate is kept and all are listed.
 * h2load only sees HTTP statuses, so each answer's body is checked by size: a gRPC error has none.
 */
export async function capacityRun(ctx: BenchContext, scenario: RunningScenario, head: RunHead, options: CapacityRunOptions): Promise<RunRecord> {
  const frameBytes = 5 + scenario.responseBytes;
  const attempts: H2loadAttempt[] = [];
  let best: RunRecord | undefined;
  for (const setting of options.settings) {
    const record = await measuredRun(ctx, scenario, head, async (probe) => {
      const run = {
        url: `http://${scenario.address}${INFER_PATH}`,
        bodyFile: ctx.bodyFile,
        connections: setting.connections,
        streams: setting.streams,
      };
      // A separate warm-up run: h2load's own --warm-up-time counts the warm-up's bytes but not its requests.
      if (options.warmupS > 0) await startH2load({ ...run, durationS: options.warmupS }).done;
      const main = startH2load({ ...run, durationS: options.durationS });
      probe.addProcess("h2load", main.pid);
      probe.markStart();
      // Read the counters when the main duration ends, while h2load still exists (it exits just after).
      const timer = setTimeout(probe.markEnd, options.durationS * 1000);
      let report;
      try {
        report = await main.done;
      } finally {
        clearTimeout(timer);
      }
      probe.markEnd();
      const share = answeredShare(report, frameBytes);
      const missing = share < MIN_ANSWERED_SHARE ? Math.round(report.succeeded * (1 - share)) : 0;
      const attempt: H2loadAttempt = {
        connections: setting.connections,
        streams: setting.streams,
        requestsPerSecond: report.requestsPerSecond,
        succeeded: report.succeeded,
        failed: report.failed + report.errored + report.timeout,
        answeredShare: share,
        meanRequestUs: report.meanRequestUs,
      };
      attempts.push(attempt);
      ctx.log(
        `      h2load -c ${setting.connections} -m ${setting.streams}: ${report.requestsPerSecond.toFixed(0)} req/s, ` +
          `${attempt.failed} failed, answered share ${share.toFixed(3)}`,
      );
      return {
        completed: report.succeeded,
        record: { tool: "h2load", completed: report.succeeded, throughput: report.requestsPerSecond, errors: attempt.failed + missing },
      };
    });
    if (best === undefined || (record.throughput ?? 0) > (best.throughput ?? 0)) best = record;
  }
  if (best === undefined) throw new Error("capacityRun needs at least one h2load setting");
  return { ...best, h2load: attempts };
}
