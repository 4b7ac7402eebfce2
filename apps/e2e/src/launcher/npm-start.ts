import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { freePort, repoRoot } from "@modelrouter/testing";

/** The launcher's built program: what `npm start` runs once it has installed and built. */
export const LAUNCHER_MAIN = join(repoRoot, "tools", "launcher", "dist", "main.js");

/** The listen variables, each moved to a free loopback port. */
export async function movedPorts(): Promise<Record<string, string>> {
  const variables = [
    "MODELROUTER_ROUTER_LISTEN",
    "MODELROUTER_ROUTER_HTTP_LISTEN",
    "MODELROUTER_ANALYZER_LISTEN",
    "MODELROUTER_DECISION_LISTEN",
    "MODELROUTER_REGISTRY_LISTEN",
    "MODELROUTER_EXECUTOR_LISTEN",
  ];
  const ports = await Promise.all(variables.map(() => freePort()));
  return Object.fromEntries(variables.map((variable, i) => [variable, `127.0.0.1:${ports[i]}`]));
}

/** This process's environment without any MODELROUTER_* or OTEL_* variable (a developer's own settings). */
export function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !/^(MODELROUTER|OTEL)_/.test(entry[0])),
  );
}

/** A temporary directory for the registry's data; `remove()` deletes it. */
export async function temporaryDataDir(): Promise<{ readonly path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "modelrouter-npm-start-"));
  return { path: join(dir, "registry"), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** How the launcher ended. */
export interface LauncherExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The launcher running as `npm start` runs it, in a process group of its own (as a terminal's foreground job). */
export interface NpmStart {
  readonly pid: number;
  /** Every line it wrote so far (its services' pretty-printed log lines, the banner, its own messages). */
  readonly lines: readonly string[];
  readonly exited: Promise<LauncherExit>;
  /** Resolves with the lines from the first satisfying `first` through the first satisfying `last`. */
  waitForLines(first: (line: string) => boolean, last: (line: string) => boolean, timeoutMs: number): Promise<string[]>;
  /** Sends `signal` to the whole process group: what a terminal does on Ctrl-C. */
  signalGroup(signal: NodeJS.Signals): void;
  /** Kills whatever is left of the group; resolves once the launcher has exited. */
  kill(): Promise<LauncherExit>;
}

/**
 * Starts `node tools/launcher/dist/main.js …args` with `env` (nothing else of this process's MODELROUTER_* or
 * OTEL_* variables), detached into a process group of its own so that its services are in that group too.
 */
export function startNpmStart(args: readonly string[], env: Readonly<Record<string, string>>): NpmStart {
  const child: ChildProcess = spawn(process.execPath, [LAUNCHER_MAIN, ...args], {
    cwd: repoRoot,
    env: {
      ...cleanEnv(),
      MODELROUTER_EXECUTOR_WORKERS: "1",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:9/v1/traces",
      ...env,
    },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  const onLine = (line: string): void => {
    lines.push(line);
    for (const listener of [...listeners]) listener();
  };
  createInterface({ input: child.stdout!, crlfDelay: Infinity }).on("line", onLine);
  createInterface({ input: child.stderr!, crlfDelay: Infinity }).on("line", onLine);
  let exit: LauncherExit | undefined;
  const exited = new Promise<LauncherExit>((resolve) =>
    child.once("close", (code, signal) => {
      exit = { code, signal };
      for (const listener of [...listeners]) listener();
      resolve(exit);
    }),
  );
  const pid = child.pid!;
  const tail = (): string => lines.slice(-60).map((line) => `  | ${line}`).join("\n");

  return {
    pid,
    get lines() {
      return [...lines];
    },
    exited,
    waitForLines(first, last, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const from = lines.findIndex(first);
          const to = from < 0 ? -1 : lines.findIndex((line, i) => i >= from && last(line));
          if (to >= 0) {
            done();
            resolve(lines.slice(from, to + 1));
            return true;
          }
          if (exit !== undefined) {
            done();
            reject(new Error(`the launcher exited (${exit.signal ?? exit.code}) before writing the lines awaited; its output:\n${tail()}`));
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`the launcher did not write the lines awaited within ${timeoutMs} ms; its output:\n${tail()}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(listener);
        };
        const listener = (): void => void check();
        if (!check()) listeners.add(listener);
      });
    },
    signalGroup(signal) {
      process.kill(-pid, signal);
    },
    async kill() {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // The group is gone.
      }
      return exited;
    },
  };
}

/** The banner's lines: from "modelrouter is up" to "Ctrl-C stops everything.". */
export function waitForBanner(launcher: NpmStart, timeoutMs = 120_000): Promise<string[]> {
  return launcher.waitForLines(
    (line) => line.startsWith("modelrouter is up"),
    (line) => line === "Ctrl-C stops everything.",
    timeoutMs,
  );
}

/** How each service ended, from the launcher's last line (`… (registry=0 router=0 …)`). */
export function serviceExits(launcher: NpmStart): Record<string, string> {
  const last = [...launcher.lines].reverse().find((line) => line.startsWith("modelrouter: ") && /\(([a-z-]+=\S+ ?)+\)$/.test(line));
  if (last === undefined) throw new Error(`no exit summary in the launcher's output:\n${launcher.lines.slice(-30).join("\n")}`);
  return Object.fromEntries([...last.slice(last.lastIndexOf("(") + 1, -1).matchAll(/([a-z-]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
}

/** The processes whose parent is `pid`, with their command lines (from /proc). */
export async function childProcesses(pid: number): Promise<{ readonly pid: number; readonly command: string }[]> {
  const children: { pid: number; command: string }[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      // The fields after the command name (in parentheses, which may hold spaces): state, ppid, …
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== pid) continue;
      const command = (await readFile(`/proc/${entry}/cmdline`, "utf8")).split("\0").join(" ").trim();
      children.push({ pid: Number(entry), command });
    } catch {
      // It has exited meanwhile.
    }
  }
  return children;
}
