import type { LatencyPercentiles } from "../loadgen/histogram.js";
import type { BenchResult } from "../run/bench-result.js";
import type { Phase, RunRecord } from "../run/run-record.js";
import { SCENARIOS, type ScenarioId } from "../scenarios/scenario-spec.js";

/** The median and range of one figure over repetitions. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** The median of a sample (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** {@link Spread} of a sample (NaNs ignored). */
export function spread(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v));
  return {
    median: median(finite),
    min: finite.length === 0 ? Number.NaN : Math.min(...finite),
    max: finite.length === 0 ? Number.NaN : Math.max(...finite),
    n: finite.length,
  };
}

/** One measurement of one scenario, over its repetitions. */
export interface Cell {
  readonly scenario: ScenarioId;
  readonly phase: Phase;
  readonly rate?: number;
  /** Repetitions measured (not skipped). */
  readonly runs: number;
  /** Why it was skipped, when every repetition was. */
  readonly skipped?: string;
  readonly throughput: Spread;
  /** Median of each percentile, µs. */
  readonly latencyUs?: Omit<LatencyPercentiles, "count" | "min" | "mean"> & { readonly p50Spread: Spread };
  readonly errors: number;
  /** Median CPU µs per request by process name. */
  readonly cpuUsPerRequest: Readonly<Record<string, number>>;
  /** Highest RSS seen in any repetition, MiB, by process. */
  readonly rssMaxMib: Readonly<Record<string, number>>;
  readonly foreignMaxPct: number;
  /** Median spans per request and the hops found missing in any repetition (tracing scenarios). */
  readonly spansPerRequest?: number;
  readonly expectedSpans?: number;
  readonly missingSpans?: readonly string[];
  /** Open model: sends dropped and late (summed), and the median p99 send lag, µs. */
  readonly schedule?: { readonly dropped: number; readonly late: number; readonly sendLagP99Us: number };
  /** Capacity: the h2load setting with the best median rate. */
  readonly bestH2load?: string;
}

/** Runs with foreign CPU above this (% of one core) are flagged. */
export const FOREIGN_FLAG_PCT = 35;

function cellOf(records: readonly RunRecord[]): Cell {
  const first = records[0]!;
  const measured = records.filter((r) => r.skipped === undefined);
  const base = { scenario: first.scenario, phase: first.phase, ...(first.rate === undefined ? {} : { rate: first.rate }) };
  if (measured.length === 0) {
    return {
      ...base,
      runs: 0,
      ...(first.skipped === undefined ? {} : { skipped: first.skipped }),
      throughput: spread([]),
      errors: 0,
      cpuUsPerRequest: {},
      rssMaxMib: {},
      foreignMaxPct: Number.NaN,
    };
  }
  const names = new Set(measured.flatMap((r) => Object.keys(r.cpuUsPerRequest ?? {})));
  const cpu = Object.fromEntries([...names].map((name) => [name, median(measured.map((r) => r.cpuUsPerRequest?.[name] ?? Number.NaN))]));
  const rss: Record<string, number> = {};
  for (const r of measured) for (const [name, mib] of Object.entries(r.rssMaxMib ?? {})) rss[name] = Math.max(rss[name] ?? 0, mib);
  const latencies = measured.map((r) => r.latencyUs).filter((l): l is LatencyPercentiles => l !== undefined);
  const pick = (key: "p50" | "p90" | "p99" | "p999" | "max"): number => median(latencies.map((l) => l[key]));
  const spans = measured.map((r) => r.spans).filter((s) => s !== undefined);
  const schedules = measured.map((r) => r.schedule).filter((s) => s !== undefined);
  const settings = new Map<string, number[]>();
  for (const r of measured) {
    for (const a of r.h2load ?? []) {
      const key = `-c ${a.connections} -m ${a.streams}`;
      settings.set(key, [...(settings.get(key) ?? []), a.requestsPerSecond]);
    }
  }
  const best = [...settings.entries()].sort((a, b) => median(b[1]) - median(a[1]))[0]?.[0];
  return {
    ...base,
    runs: measured.length,
    throughput: spread(measured.map((r) => r.throughput ?? Number.NaN)),
    ...(latencies.length === 0
      ? {}
      : { latencyUs: { p50: pick("p50"), p90: pick("p90"), p99: pick("p99"), p999: pick("p999"), max: pick("max"), p50Spread: spread(latencies.map((l) => l.p50)) } }),
    errors: measured.reduce((sum, r) => sum + (r.errors ?? 0), 0),
    cpuUsPerRequest: cpu,
    rssMaxMib: rss,
    foreignMaxPct: Math.max(...measured.map((r) => r.foreignPct ?? 0)),
    ...(spans.length === 0
      ? {}
      : {
          spansPerRequest: median(spans.map((s) => s.perRequest)),
          expectedSpans: spans[0]!.expectedPerRequest,
          missingSpans: [...new Set(spans.flatMap((s) => s.missing))],
        }),
    ...(schedules.length === 0
      ? {}
      : {
          schedule: {
            dropped: schedules.reduce((sum, s) => sum + s.dropped, 0),
            late: schedules.reduce((sum, s) => sum + s.late, 0),
            sendLagP99Us: median(schedules.map((s) => s.sendLagP99Us)),
          },
        }),
    ...(best === undefined ? {} : { bestH2load: best }),
  };
}

/** The cells of a result, keyed by {@link cellKey}. */
export type Aggregate = ReadonlyMap<string, Cell>;

/** The key of a measurement: `scenario/phase` or `scenario/rate/R`. */
export function cellKey(scenario: ScenarioId, phase: Phase, rate?: number): string {
  return phase === "rate" ? `${scenario}/rate/${rate ?? 0}` : `${scenario}/${phase}`;
}

/** Groups a result's runs by scenario and measurement and takes medians over the repetitions. */
export function aggregate(result: Pick<BenchResult, "runs">): Aggregate {
  const groups = new Map<string, RunRecord[]>();
  for (const run of result.runs) {
    const key = cellKey(run.scenario, run.phase, run.rate);
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return new Map([...groups.entries()].map(([key, records]) => [key, cellOf(records)]));
}

/**
 * The best bare model server of a run: of the bare model-server scenarios (`model-main`, `model-pool`), the one
 * with the higher median capacity; undefined when neither capacity was measured.
 */
export function bestModelServer(cells: Aggregate): ScenarioId | undefined {
  const capacity = (id: ScenarioId): number => cells.get(cellKey(id, "capacity"))?.throughput.median ?? Number.NaN;
  const measured = SCENARIOS.filter((s) => s.modelServer === true && Number.isFinite(capacity(s.id)));
  return measured.sort((a, b) => capacity(b.id) - capacity(a.id))[0]?.id;
}

/**
 * A scenario's server CPU µs per request in one measurement: the sum over `processes` (its server processes, or
 * some of them), NaN when the measurement or a process's figure is missing.
 */
export function serverCpuUs(cells: Aggregate, id: ScenarioId, processes: readonly string[], phase: Phase = "capacity"): number {
  const cell = cells.get(cellKey(id, phase));
  if (cell === undefined || cell.runs === 0 || processes.length === 0) return Number.NaN;
  return processes.reduce((sum, p) => sum + (cell.cpuUsPerRequest[p] ?? Number.NaN), 0);
}
