import { describe, expect, it } from "@jest/globals";
import { cpuBetween, takeCpuSnapshot, waitForQuietMachine } from "./cpu-meter.js";
import type { MachineCpuTicks, ProcessCpuTicks } from "./proc-parse.js";

const machine = (busy: number, total = busy * 2): MachineCpuTicks => ({ busy, total, steal: 0 });
const proc = (utime: number, stime: number): ProcessCpuTicks => ({ utime, stime, rssPages: 0, threads: 1 });

describe("cpuBetween", () => {
  it("gives each process's CPU seconds, the machine's busy share and the foreign part, in % of one core", () => {
    const before = takeCpuSnapshot([10, 20, 30], {
      now: () => 0,
      machine: () => machine(1000),
      process: (pid) => (pid === 30 ? undefined : proc(pid * 10, pid)),
    });
    const after = takeCpuSnapshot([10, 20, 30], {
      now: () => 2e9,
      machine: () => machine(1000 + 300),
      process: (pid) => (pid === 10 ? proc(100 + 150, 10 + 50) : pid === 20 ? proc(200 + 40, 20) : proc(1, 1)),
    });
    const window = cpuBetween(before, after, 100);
    expect(window.seconds).toBe(2);
    // pid 10: 200 ticks = 2 s; pid 20: 40 ticks = 0.4 s; pid 30 appeared later: not counted.
    expect([...window.byPid.entries()]).toEqual([
      [10, 2],
      [20, 0.4],
    ]);
    // 300 busy ticks over 2 s at 100 ticks/s = 150 % of one core; ours 240 ticks = 120 %; foreign 30 %.
    expect(window.machineBusyPct).toBeCloseTo(150);
    expect(window.foreignPct).toBeCloseTo(30);
  });
});

/** A clock and a machine whose busy ticks grow by `busyTicks(sample)` during each simulated sleep. */
function simulatedMachine(busyTicks: (sample: number) => number) {
  let t = 0;
  let busy = 0;
  let sample = 0;
  return {
    now: () => t,
    machine: () => machine(busy),
    sleep: async (s: number) => {
      t += s * 1e9;
      busy += busyTicks(sample++);
    },
  };
}

describe("waitForQuietMachine", () => {
  it("waits until a one-second sample is below the limit, and says how long it waited", async () => {
    const busyPerSample = [180, 120, 10];
    const result = await waitForQuietMachine({
      maxBusyPct: 40,
      maxWaitS: 30,
      sampleS: 1,
      ticksPerSecond: 100,
      ...simulatedMachine((sample) => busyPerSample[sample] ?? 0),
    });
    expect(result).toEqual({ quiet: true, waitedS: 3, busyPct: 10 });
  });

  it("gives up after the longest wait and reports the machine as not quiet", async () => {
    const result = await waitForQuietMachine({
      maxBusyPct: 40,
      maxWaitS: 5,
      sampleS: 1,
      ticksPerSecond: 100,
      ...simulatedMachine(() => 150),
    });
    expect(result).toEqual({ quiet: false, waitedS: 5, busyPct: 150 });
  });
});
