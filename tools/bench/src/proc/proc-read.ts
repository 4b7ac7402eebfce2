import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseMachineStat, parseProcessStat, parseVmRssKib, type MachineCpuTicks, type ProcessCpuTicks } from "./proc-parse.js";

/** Reads a process's CPU counters; undefined once it has exited. */
export function readProcessCpu(pid: number): ProcessCpuTicks | undefined {
  try {
    return parseProcessStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/** Reads a process's resident set size in MiB; undefined once it has exited. */
export function readRssMib(pid: number): number | undefined {
  try {
    const kib = parseVmRssKib(readFileSync(`/proc/${pid}/status`, "utf8"));
    return kib === undefined ? undefined : kib / 1024;
  } catch {
    return undefined;
  }
}

/** Reads the machine-wide CPU counters. */
export function readMachineCpu(): MachineCpuTicks {
  return parseMachineStat(readFileSync("/proc/stat", "utf8"));
}

/** Clock ticks per second of the `/proc` CPU counters (`getconf CLK_TCK`, 100 on Linux if that fails). */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}
