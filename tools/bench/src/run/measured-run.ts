import type { OtlpReceiver } from "@modelrouter/testing";
import { cpuBetween, takeCpuSnapshot, waitForQuietMachine, type CpuSnapshot } from "../proc/cpu-meter.js";
import { readMachineCpu, readProcessCpu, readRssMib } from "../proc/proc-read.js";
import type { RunningScenario, ScenarioProcess } from "../scenarios/running-scenario.js";
import { expectedSpans, spanKey } from "../scenarios/scenario-spec.js";
import type { BenchContext } from "./bench-context.js";
import type { Phase, RunRecord, SpanCount } from "./run-record.js";

/** Lets a run tell the meter about its load generator and its measured window. */
export interface RunProbe {
  /** A process of the run besides the scenario's (the load generator), measured under `name`. */
  addProcess(name: string, pid: number): void;
  /** The measured window starts now (default: when the run starts). */
  markStart(): void;
  /** The measured window ends now (default: when the run ends). */
  markEnd(): void;
}

/** What a run reports to the meter. */
export interface RunOutcome {
  /** Requests completed in the measured window: the denominator of CPU and spans per request. */
  readonly completed: number;
  /** CPU µs per request that the run measured itself (the load generator's own count), by process name. */
  readonly cpuUsPerRequest?: Readonly<Record<string, number>>;
  readonly record: Omit<RunRecord, "scenario" | "phase" | "repetition" | "rate">;
}

const sleep = (seconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const now = (): number => Number(process.hrtime.bigint());
/** Wall-clock time in nanoseconds since the epoch (the clock of span timestamps), sub-millisecond. */
const wallNs = (): bigint => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));

async function settledSpans(receiver: OtlpReceiver): Promise<void> {
  let last = -1;
  let stableSince = now();
  const started = now();
  for (;;) {
    const count = receiver.requestCount;
    if (count !== last) {
      last = count;
      stableSince = now();
    }
    // The services export every second (OTEL_BSP_SCHEDULE_DELAY): 2.5 s without an export means they are done.
    if (now() - stableSince > 2.5e9 || now() - started > 30e9) return;
    await sleep(0.25);
  }
}

/** The fields of a received span that {@link countSpans} reads. */
export interface CountedSpan {
  readonly traceId: string;
  readonly serviceName: string;
  readonly kind: string;
  readonly name: string;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
}

/** The key of the root span of a routed request. */
const ROOT_KEY = "router SERVER RouterService/Infer";

/**
 * Counts the spans of the requests of a measured window: every span of each trace whose root (the router's
 * `Infer` SERVER span) started and ended inside `[startNs, endNs)` (wall clock, ns; requests still in flight
 * when the generator stops are cancelled, and their traces rightly stop short) — later spans of those traces
 * included, such as the decision log written behind — divided by `answered`, the requests the load generator
 * completed in the window. A hop is lost when it appears in fewer than 99 % of those traces; roots are lost when
 * there are fewer than 95 % as many as answers (roots and answers are counted over windows that differ by the
 * requests in flight at the edges, so only the hops are checked tightly).
 */
export function countSpans(
  spans: readonly CountedSpan[],
  window: { readonly startNs: bigint; readonly endNs: bigint },
  answered: number,
  topology: "co-located" | "distributed",
): SpanCount {
  const traces = new Set(
    spans
      .filter((s) => s.startTimeUnixNano >= window.startNs && s.endTimeUnixNano < window.endNs && spanKey(s) === ROOT_KEY)
      .map((s) => s.traceId),
  );
  const counts: Record<string, number> = {};
  let total = 0;
  for (const span of spans) {
    if (!traces.has(span.traceId)) continue;
    const key = spanKey(span);
    counts[key] = (counts[key] ?? 0) + 1;
    total += 1;
  }
  const expected = expectedSpans(topology);
  const byKey = Object.fromEntries(Object.entries(counts).map(([key, n]) => [key, answered === 0 ? 0 : n / answered]));
  return {
    requests: answered,
    spans: total,
    perRequest: answered === 0 ? 0 : total / answered,
    expectedPerRequest: expected.length,
    byKey,
    missing: expected.filter((key) =>
      key === ROOT_KEY ? traces.size < 0.95 * answered : (counts[key] ?? 0) < 0.99 * traces.size,
    ),
  };
}

/**
 * Measures one run of a scenario: waits for a quiet machine, then runs `exec` while reading the CPU counters
 * of every process at the measured window's edges and sampling the scenario's RSS each second; afterwards
 * turns them into CPU µs per request per process, the foreign CPU of the window, and, for a tracing
 * scenario, spans per request once the exports have settled.
 */
export async function measuredRun(
  ctx: BenchContext,
  scenario: RunningScenario,
  head: { readonly phase: Phase; readonly repetition: number; readonly rate?: number },
  exec: (probe: RunProbe) => Promise<RunOutcome>,
): Promise<RunRecord> {
  const gate = await waitForQuietMachine({
    ...ctx.quiet,
    sampleS: 1,
    ticksPerSecond: ctx.ticksPerSecond,
    now,
    machine: readMachineCpu,
    sleep,
  });
  if (!gate.quiet) ctx.log(`    machine still busy (${gate.busyPct.toFixed(0)} % of one core) after ${gate.waitedS.toFixed(0)} s; measuring anyway`);
  scenario.receiver?.clear();

  const extra: ScenarioProcess[] = [{ name: "bench", pid: process.pid }];
  const reader = { now, machine: readMachineCpu, process: readProcessCpu };
  const pids = (): number[] => [...new Set([...ctx.ownProcesses(), ...scenario.processes, ...extra].map((p) => p.pid))];
  let before: CpuSnapshot | undefined;
  let after: CpuSnapshot | undefined;
  let startWall: bigint | undefined;
  let endWall: bigint | undefined;
  const rssMax: Record<string, number> = {};
  const sampleRss = (): void => {
    for (const p of scenario.processes) {
      const rss = readRssMib(p.pid);
      if (rss !== undefined) rssMax[p.name] = Math.max(rssMax[p.name] ?? 0, rss);
    }
  };
  const sampler = setInterval(sampleRss, 1000);
  let outcome: RunOutcome;
  try {
    outcome = await exec({
      addProcess: (name, pid) => extra.push({ name, pid }),
      markStart: () => {
        if (before !== undefined) return;
        startWall = wallNs();
        before = takeCpuSnapshot(pids(), reader);
      },
      markEnd: () => {
        if (after !== undefined || before === undefined) return;
        endWall = wallNs();
        after = takeCpuSnapshot(pids(), reader);
      },
    });
  } finally {
    clearInterval(sampler);
  }
  sampleRss();
  if (before === undefined || after === undefined || startWall === undefined || endWall === undefined) {
    throw new Error(`the ${head.phase} run of ${scenario.spec.id} never marked its measured window`);
  }
  const window = cpuBetween(before, after, ctx.ticksPerSecond);
  const cpuUsPerRequest: Record<string, number> = {};
  for (const p of [...scenario.processes, ...extra]) {
    const seconds = window.byPid.get(p.pid);
    if (seconds !== undefined && outcome.completed > 0) cpuUsPerRequest[p.name] = (seconds * 1e6) / outcome.completed;
  }
  Object.assign(cpuUsPerRequest, outcome.cpuUsPerRequest);

  let spans: SpanCount | undefined;
  if (scenario.receiver !== undefined && scenario.spec.topology !== undefined) {
    await settledSpans(scenario.receiver);
    spans = countSpans(scenario.receiver.spans, { startNs: startWall, endNs: endWall }, outcome.completed, scenario.spec.topology);
    scenario.receiver.clear();
  }
  return {
    scenario: scenario.spec.id,
    phase: head.phase,
    ...(head.rate === undefined ? {} : { rate: head.rate }),
    repetition: head.repetition,
    ...outcome.record,
    cpuUsPerRequest,
    rssMaxMib: rssMax,
    machineBusyPct: window.machineBusyPct,
    foreignPct: window.foreignPct,
    quietWaitS: gate.waitedS,
    quiet: gate.quiet,
    ...(spans === undefined ? {} : { spans }),
  };
}
