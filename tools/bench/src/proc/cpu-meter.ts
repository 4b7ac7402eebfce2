import type { MachineCpuTicks, ProcessCpuTicks } from "./proc-parse.js";

/** CPU counters of the machine and of some processes at one moment. */
export interface CpuSnapshot {
  /** Monotonic time, nanoseconds. */
  readonly atNs: number;
  readonly machine: MachineCpuTicks;
  /** utime + stime ticks by pid (absent: the process had exited). */
  readonly processes: ReadonlyMap<number, number>;
}

/** CPU used between two snapshots. */
export interface CpuWindow {
  readonly seconds: number;
  /** CPU seconds by pid, for pids present in both snapshots. */
  readonly byPid: ReadonlyMap<number, number>;
  /** Machine-wide busy time in % of one core (up to 100 × cores). */
  readonly machineBusyPct: number;
  /** The part of it not used by the given processes ("foreign" CPU: other work on the machine), % of one core. */
  readonly foreignPct: number;
}

/** Takes a snapshot with the given readers (the real ones read `/proc`). */
export function takeCpuSnapshot(
  pids: readonly number[],
  read: { readonly now: () => number; readonly machine: () => MachineCpuTicks; readonly process: (pid: number) => ProcessCpuTicks | undefined },
): CpuSnapshot {
  const processes = new Map<number, number>();
  for (const pid of pids) {
    const ticks = read.process(pid);
    if (ticks !== undefined) processes.set(pid, ticks.utime + ticks.stime);
  }
  return { atNs: read.now(), machine: read.machine(), processes };
}

/**
 * The CPU used between `before` and `after`: per process (seconds), machine-wide busy, and foreign (busy minus
 * all processes of `before`), both in % of one core. `ticksPerSecond` is `CLK_TCK`.
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot, ticksPerSecond: number): CpuWindow {
  const seconds = (after.atNs - before.atNs) / 1e9;
  const byPid = new Map<number, number>();
  let ours = 0;
  for (const [pid, start] of before.processes) {
    const end = after.processes.get(pid);
    if (end === undefined) continue;
    const ticks = Math.max(0, end - start);
    ours += ticks;
    byPid.set(pid, ticks / ticksPerSecond);
  }
  const busy = Math.max(0, after.machine.busy - before.machine.busy);
  const pct = (ticks: number): number => (seconds > 0 ? (ticks / ticksPerSecond / seconds) * 100 : Number.NaN);
  return { seconds, byPid, machineBusyPct: pct(busy), foreignPct: Math.max(0, pct(busy - ours)) };
}

/** Options of {@link waitForQuietMachine}. */
export interface QuietGateOptions {
  /** Quiet means machine-wide busy below this, in % of one core (40 = 40 % of the 200 % of two cores). */
  readonly maxBusyPct: number;
  /** Give up waiting after this long and go on (the run is then flagged by its foreign CPU). */
  readonly maxWaitS: number;
  /** Length of one sample. */
  readonly sampleS: number;
  readonly ticksPerSecond: number;
  readonly now: () => number;
  readonly machine: () => MachineCpuTicks;
  readonly sleep: (seconds: number) => Promise<void>;
}

/** What the quiet gate saw. */
export interface QuietGateResult {
  readonly quiet: boolean;
  readonly waitedS: number;
  /** Busy % of one core in the last sample. */
  readonly busyPct: number;
}

/**
 * Waits until the machine is quiet (one sample below `maxBusyPct`), at most `maxWaitS`: the machine is shared,
 * and a measurement taken while something else runs measures that too.
 */
export async function waitForQuietMachine(options: QuietGateOptions): Promise<QuietGateResult> {
  const started = options.now();
  for (;;) {
    const t0 = options.now();
    const m0 = options.machine();
    await options.sleep(options.sampleS);
    const t1 = options.now();
    const m1 = options.machine();
    const seconds = (t1 - t0) / 1e9;
    const busyPct = seconds > 0 ? ((m1.busy - m0.busy) / options.ticksPerSecond / seconds) * 100 : 0;
    const waitedS = (t1 - started) / 1e9;
    if (busyPct < options.maxBusyPct) return { quiet: true, waitedS, busyPct };
    if (waitedS >= options.maxWaitS) return { quiet: false, waitedS, busyPct };
  }
}
