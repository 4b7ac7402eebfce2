import { spawn, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";

/** What the reaper is asked to run: sent as its first IPC message. */
export interface ReaperRequest {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | undefined;
}

/** What the reaper reports about the process it runs. */
export type ReaperReport =
  | { readonly type: "spawned"; readonly pid: number }
  | { readonly type: "error"; readonly message: string }
  | { readonly type: "exit"; readonly code: number | null; readonly signal: NodeJS.Signals | null };

/**
 * The reaper, a CommonJS program for `node -e`. It leads its own process group (it is spawned detached),
 * runs the requested command in that group with its standard output and error, and reports on IPC. It kills
 * the whole group with SIGKILL when the test process goes away (the IPC channel closes, even if that
 * process was itself SIGKILLed) and after the command has exited (so nothing it left behind survives or
 * holds the output pipes open). Jest gives tests a copy of `process` whose "exit" listeners never run, so
 * this is the only reliable way to never leave a service running after a test run.
 */
const REAPER_SCRIPT = `
"use strict";
const { spawn } = require("node:child_process");
const killGroup = () => {
  try { process.kill(-process.pid, "SIGKILL"); } catch { process.exit(1); }
};
const report = (message, then) => { try { process.send(message, then); } catch { killGroup(); } };
process.on("disconnect", killGroup);
process.once("message", (request) => {
  let child;
  try {
    child = spawn(request.command, request.args, { env: request.env, cwd: request.cwd, stdio: ["ignore", "inherit", "inherit"] });
  } catch (error) {
    report({ type: "error", message: String(error && error.message || error) }, killGroup);
    return;
  }
  child.on("spawn", () => report({ type: "spawned", pid: child.pid }));
  child.on("error", (error) => report({ type: "error", message: error.message }, killGroup));
  child.on("exit", (code, signal) => report({ type: "exit", code, signal }, killGroup));
});
`;

/** Starts the reaper for `request`, with piped standard output and error and an IPC channel. */
export function spawnReaper(request: ReaperRequest): ChildProcess {
  const reaper = spawn(process.execPath, ["-e", REAPER_SCRIPT], {
    env: {},
    detached: true,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  reaper.send(request);
  return reaper;
}

/**
 * Whether the reaper's process, pipes and channel keep this process's event loop alive. Unreferenced, a
 * process that a test forgot to stop never keeps the test runner from exiting (the reaper then kills it);
 * referenced, awaiting its exit works even where nothing else keeps the loop alive (a plain Node script).
 */
export function holdEventLoop(reaper: ChildProcess, hold: boolean): void {
  const handles = [reaper.channel, reaper.stdout as Socket | null, reaper.stderr as Socket | null];
  if (hold) {
    reaper.ref();
    for (const handle of handles) handle?.ref();
  } else {
    reaper.unref();
    for (const handle of handles) handle?.unref();
  }
}

/** Kills the reaper's whole process group (the reaper, the command and anything the command started). */
export function killReaperGroup(reaper: ChildProcess): void {
  if (reaper.pid === undefined) return;
  try {
    process.kill(-reaper.pid, "SIGKILL");
  } catch {
    // The group is already gone.
  }
}

/** The report in an IPC message, if it is one. */
export function asReaperReport(message: unknown): ReaperReport | undefined {
  if (typeof message !== "object" || message === null || !("type" in message)) return undefined;
  const type = (message as { type: unknown }).type;
  return type === "spawned" || type === "error" || type === "exit" ? (message as ReaperReport) : undefined;
}
