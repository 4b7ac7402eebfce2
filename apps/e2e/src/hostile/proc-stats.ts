import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Memory figures of a process, from `/proc/<pid>/status`, in bytes. */
export interface MemoryFigures {
  /** VmRSS: resident now. */
  readonly rss: number;
  /** VmHWM: the most it has ever been resident. */
  readonly peak: number;
}

function statusField(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status);
  if (match === null) throw new Error(`no ${name} in /proc status`);
  return Number(match[1]) * 1024;
}

/** The resident and peak resident memory of a running process. */
export function memoryOf(pid: number): MemoryFigures {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return { rss: statusField(status, "VmRSS"), peak: statusField(status, "VmHWM") };
}

let ticksPerSecond: number | undefined;

/** The CPU time (user + system) a process has used so far, in seconds, from `/proc/<pid>/stat`. */
export function cpuSecondsOf(pid: number): number {
  ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / ticksPerSecond;
}

/** Bytes as MiB with one decimal, for messages. */
export const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Watches a process's resident memory and ends it if it passes a limit. */
export interface MemoryGuard {
  /** Stops watching; resolves the most it saw resident and whether it had to kill. */
  stop(): { readonly maxRssBytes: number; readonly killed: boolean };
}

/**
 * Samples `pid`'s resident memory every 100 ms and calls `kill` once it is over `limitBytes`, so that a process
 * that reads without bound (a model file of `/dev/zero`) cannot take the shared test machine down with it.
 */
export function guardMemory(pid: number, limitBytes: number, kill: () => unknown): MemoryGuard {
  let maxRssBytes = 0;
  let killed = false;
  const timer = setInterval(() => {
    try {
      const { rss } = memoryOf(pid);
      maxRssBytes = Math.max(maxRssBytes, rss);
      if (rss > limitBytes && !killed) {
        killed = true;
        void kill();
      }
    } catch {
      // The process is gone.
    }
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return { maxRssBytes, killed };
    },
  };
}
