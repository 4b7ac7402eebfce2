import { readFileSync } from "node:fs";
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "@jest/globals";
import { asReaperReport, killReaperGroup, spawnReaper, type ReaperReport } from "./reaper.js";

const reapers: ChildProcess[] = [];

afterEach(() => {
  reapers.splice(0).forEach(killReaperGroup);
});

/** True while `pid` exists and is not a zombie (an orphan that init has not reaped yet is dead). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Polls until `pid` is gone; false if it is still running at the deadline. */
async function gone(pid: number, deadlineMs = 10_000): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (!isRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return !isRunning(pid);
}

interface Started {
  readonly reaper: ChildProcess;
  /** Resolves with the first report of `type`, already received or still to come. */
  next(type: ReaperReport["type"]): Promise<ReaperReport>;
}

function start(script: string): Started {
  const reaper = spawnReaper({ command: process.execPath, args: ["-e", script], env: {}, cwd: undefined });
  reapers.push(reaper);
  const reports: ReaperReport[] = [];
  const waiting = new Set<() => void>();
  reaper.on("message", (message: unknown) => {
    const report = asReaperReport(message);
    if (report !== undefined) reports.push(report);
    waiting.forEach((wake) => wake());
  });
  const next = (type: ReaperReport["type"]) =>
    new Promise<ReaperReport>((resolve) => {
      const check = (): void => {
        const found = reports.find((report) => report.type === type);
        if (found === undefined) return;
        waiting.delete(check);
        resolve(found);
      };
      waiting.add(check);
      check();
    });
  return { reaper, next };
}

describe("the reaper under every started process", () => {
  it("reports the command's pid, then how it exited", async () => {
    const { next } = start("process.exit(5)");

    const spawned = await next("spawned");
    const exit = await next("exit");

    expect(spawned).toEqual({ type: "spawned", pid: expect.any(Number) });
    expect(exit).toEqual({ type: "exit", code: 5, signal: null });
  });

  it("reports a command that cannot be spawned", async () => {
    const reaper = spawnReaper({ command: "/nonexistent/binary", args: [], env: {}, cwd: undefined });
    reapers.push(reaper);

    const report = await new Promise<unknown>((resolve) => reaper.once("message", resolve));

    expect(report).toEqual({ type: "error", message: expect.stringContaining("ENOENT") });
  });

  it("kills the command when the process that started it goes away (its IPC channel closes)", async () => {
    const { reaper, next } = start("setInterval(() => {}, 1000)");
    const { pid } = (await next("spawned")) as { pid: number };

    reaper.disconnect();

    expect(await gone(pid)).toBe(true);
  }, 20_000);

  it("kills whatever the command left running in its process group once the command exits", async () => {
    const { reaper, next } = start(`
      const { spawn } = require("node:child_process");
      const leftover = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
      console.log("leftover " + leftover.pid);
      setTimeout(() => process.exit(0), 100);
    `);
    const line = await new Promise<string>((resolve) => createInterface({ input: reaper.stdout! }).once("line", resolve));
    const leftoverPid = Number(/^leftover (\d+)$/.exec(line)?.[1]);

    await next("exit");

    expect(leftoverPid).toBeGreaterThan(0);
    expect(await gone(leftoverPid)).toBe(true);
  }, 20_000);
});
