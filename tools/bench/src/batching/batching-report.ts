import type { LatencyPercentiles } from "../loadgen/histogram.js";
import type { MachineInfo } from "../report/machine-info.js";
import { median } from "../report/aggregate.js";
import { type BatchSetting, settingLabel } from "./batching-options.js";

/** How a run loads the executor: a closed loop (`concurrency` in flight) or an open-model rate. */
export type BatchingLoad = { readonly kind: "closed"; readonly concurrency: number } | { readonly kind: "open"; readonly ratePerSecond: number };

/** One measured run of one setting. */
export interface BatchingRun {
  readonly setting: BatchSetting;
  readonly load: BatchingLoad;
  readonly repetition: number;
  /** OK answers per second over the measured window (refusals are not throughput). */
  readonly throughput: number;
  readonly latencyUs: LatencyPercentiles;
  /** Non-OK answers, warm-up included. */
  readonly errors: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** CPU time of the executor process (all its threads) over the measured window ÷ OK answers, µs. */
  readonly executorCpuUsPerRequest: number;
  /** Machine busy time not used by the benchmark's processes during the window, % of one core. */
  readonly foreignPct: number;
  /** Whether the machine was quiet when the run started (else the wait for it timed out). */
  readonly startedQuiet: boolean;
}

/** The batching benchmark's machine-readable result. */
export interface BatchingResult {
  readonly startedAt: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly model: string;
  readonly workers: string;
  readonly warmupS: number;
  readonly durationS: number;
  readonly runs: readonly BatchingRun[];
}

/** Medians over the repetitions of one setting under one load. */
export interface BatchingCell {
  readonly throughput: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly errors: number;
  readonly cpuUsPerRequest: number;
  readonly n: number;
}

const sameLoad = (a: BatchingLoad, b: BatchingLoad): boolean =>
  a.kind === "closed" ? b.kind === "closed" && a.concurrency === b.concurrency : b.kind === "open" && a.ratePerSecond === b.ratePerSecond;

const sameSetting = (a: BatchSetting, b: BatchSetting): boolean => a.maxBatchSize === b.maxBatchSize && a.maxBatchDelayMs === b.maxBatchDelayMs;

/** The medians of the runs of `setting` under `load`; undefined when there is none. */
export function batchingCell(runs: readonly BatchingRun[], setting: BatchSetting, load: BatchingLoad): BatchingCell | undefined {
  const mine = runs.filter((r) => sameSetting(r.setting, setting) && sameLoad(r.load, load));
  if (mine.length === 0) return undefined;
  return {
    throughput: median(mine.map((r) => r.throughput)),
    p50Us: median(mine.map((r) => r.latencyUs.p50)),
    p99Us: median(mine.map((r) => r.latencyUs.p99)),
    errors: mine.reduce((n, r) => n + r.errors, 0),
    cpuUsPerRequest: median(mine.map((r) => r.executorCpuUsPerRequest)),
    n: mine.length,
  };
}

const ms = (us: number): string => (us / 1000).toFixed(2);
const int = (n: number): string => Math.round(n).toLocaleString("en-US");

/** The `bench:batching` section of `docs/benchmarks.md`: one row per setting, one column group per load. */
export function renderBatchingMarkdown(result: BatchingResult, settings: readonly BatchSetting[], loads: readonly BatchingLoad[]): string {
  const date = result.startedAt.slice(0, 10);
  const loadName = (load: BatchingLoad): string =>
    load.kind === "closed" ? `closed loop, ${load.concurrency} in flight` : `${int(load.ratePerSecond)} req/s offered`;
  const packages = Object.entries(result.machine.packages)
    .filter(([name]) => name === "onnxruntime-node" || name === "@grpc/grpc-js")
    .map(([name, version]) => `${name} ${version}`)
    .join(", ");
  const lines = [
    `### Batching run of ${date}`,
    "",
    `- **Machine:** ${result.machine.cores} × ${result.machine.cpuModel.split(" ").slice(0, 2).join(" ")}, Node ${result.machine.node}; ${packages}.`,
    `- **Command:** \`${result.command}\`.`,
    `- **Model:** ${result.model}. **Executor:** ${result.workers}; one executor process per setting, all started side by side; the load generator calls \`ExecutorService/Execute\` directly.`,
    `- **Runs:** ${Math.max(...result.runs.map((r) => r.repetition))} repetition(s), settings interleaved; ${result.warmupS} s warm-up + ${result.durationS} s measured each; medians.`,
    "",
    `Each cell: OK answers/s · p50 / p99 latency of the OK answers in ms · the executor's CPU per OK answer in µs (all its threads).`,
    "",
    `| setting | ${loads.map(loadName).join(" | ")} | errors |`,
    `|---|${loads.map(() => "---").join("|")}|---|`,
  ];
  const off = settings.find((s) => s.maxBatchSize === 1);
  for (const setting of settings) {
    let errors = 0;
    const cells = loads.map((load) => {
      const cell = batchingCell(result.runs, setting, load);
      if (cell === undefined) return "–";
      errors += cell.errors;
      const base = off === undefined || load.kind !== "closed" ? undefined : batchingCell(result.runs, off, load);
      const ratio = base === undefined || setting === off || !(base.throughput > 0) ? "" : ` (${(cell.throughput / base.throughput).toFixed(2)}×)`;
      return `${int(cell.throughput)}${ratio} · ${ms(cell.p50Us)} / ${ms(cell.p99Us)} · ${int(cell.cpuUsPerRequest)} µs`;
    });
    lines.push(`| ${settingLabel(setting)} | ${cells.join(" | ")} | ${errors} |`);
  }
  const foreign = result.runs.map((r) => r.foreignPct).filter((v) => Number.isFinite(v));
  if (foreign.length > 0) {
    lines.push(
      "",
      `Foreign CPU (the machine's busy time not used by the benchmark), % of one core: median ${median(foreign).toFixed(0)}, ` +
        `max ${Math.max(...foreign).toFixed(0)} over ${foreign.length} runs; ${result.runs.filter((r) => !r.startedQuiet).length} run(s) ` +
        `started without a quiet machine; non-OK answers by status: ${statusSummary(result.runs)}.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function statusSummary(runs: readonly BatchingRun[]): string {
  const totals = new Map<string, number>();
  for (const run of runs) for (const [status, n] of Object.entries(run.statusCounts)) if (status !== "OK") totals.set(status, (totals.get(status) ?? 0) + n);
  return totals.size === 0 ? "none" : [...totals].map(([status, n]) => `${status} ${int(n)}`).join(", ");
}
