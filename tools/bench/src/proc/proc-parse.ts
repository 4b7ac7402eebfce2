/** CPU time of one process from `/proc/<pid>/stat`, in clock ticks (see `CLK_TCK`), all threads included. */
export interface ProcessCpuTicks {
  readonly utime: number;
  readonly stime: number;
  /** Resident set size, pages. */
  readonly rssPages: number;
  readonly threads: number;
}

/**
 * Parses `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may itself contain spaces or
 * parentheses, so the fields are counted from the last `)`.
 */
export function parseProcessStat(text: string): ProcessCpuTicks {
  const close = text.lastIndexOf(")");
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state); field n is fields[n - 3].
  const field = (n: number): number => {
    const value = Number(fields[n - 3]);
    if (!Number.isFinite(value)) throw new Error(`/proc/<pid>/stat field ${n} is not a number: ${text.slice(0, 120)}`);
    return value;
  };
  return { utime: field(14), stime: field(15), threads: field(20), rssPages: field(24) };
}

/** The machine-wide CPU counters of the first line of `/proc/stat`, clock ticks summed over all CPUs. */
export interface MachineCpuTicks {
  /** user + nice + system + irq + softirq: time some process or the kernel was running. */
  readonly busy: number;
  /** Every counter, idle, iowait and steal included. */
  readonly total: number;
  /** Time the hypervisor gave to someone else. */
  readonly steal: number;
}

/** Parses the aggregate `cpu` line of `/proc/stat`. */
export function parseMachineStat(text: string): MachineCpuTicks {
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  if (line === undefined) throw new Error("no aggregate cpu line in /proc/stat");
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  // guest and guest_nice are already counted in user and nice.
  return { busy: user + nice + system + irq + softirq, total: user + nice + system + idle + iowait + irq + softirq + steal, steal };
}

/** The `VmRSS` of `/proc/<pid>/status`, in KiB; undefined if absent (a zombie or kernel thread). */
export function parseVmRssKib(statusText: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  return match === null ? undefined : Number(match[1]);
}
