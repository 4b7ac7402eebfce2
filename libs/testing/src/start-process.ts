import { createInterface } from "node:readline";
import { asReaperReport, holdEventLoop, killReaperGroup, spawnReaper } from "./reaper.js";

/** Options of {@link startProcess}. */
export interface StartProcessOptions {
  /** A short name used in failure messages, e.g. "router". */
  readonly name: string;
  /** The executable, e.g. `process.execPath` for Node. */
  readonly command: string;
  readonly args?: readonly string[];
  /**
   * Variables laid over this process's environment; a variable set to `undefined` is removed, so that a
   * developer's own `OTEL_*` settings cannot leak into a test.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The working directory. Default: this process's. */
  readonly cwd?: string;
  /**
   * The process counts as started once a line of its standard output or error satisfies this. Default: as
   * soon as it has been spawned.
   */
  readonly readyWhen?: (line: string) => boolean;
  /** How long to wait for readiness before killing the process and failing. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** How many of the most recent output lines to keep. Default 10 000. */
  readonly maxOutputLines?: number;
}

/** How a process ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A child process started by {@link startProcess}. */
export interface RunningProcess {
  readonly name: string;
  /** The command's process id (not its reaper's). */
  readonly pid: number;
  /** The lines it wrote so far, standard output and error interleaved in arrival order (a copy). */
  readonly output: readonly string[];
  /**
   * Resolves when the process has exited and its output is fully read. Never rejects. Asking for it keeps
   * this process alive until then (otherwise a running command never keeps a test runner from exiting).
   */
  readonly exited: Promise<ProcessExit>;
  /**
   * Resolves with the first line, already written or still to come, that satisfies `predicate`; rejects with the
   * captured output if the process exits first or after `timeoutMs` (default 10 000 ms).
   */
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /**
   * Sends `signal` (default SIGTERM) and resolves with the exit code (null if the signal ended it) once the
   * process has exited. If it is still running after `timeoutMs` (default 10 000 ms) it is killed with SIGKILL
   * and the promise rejects with the captured output. Resolves at once if the process has already exited.
   */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  /** Kills the process with SIGKILL and resolves once it has exited. Safe to call more than once. */
  kill(): Promise<ProcessExit>;
}

const TAIL_LINES = 100;
/** How long the reaper gets to reap a killed command before its whole group is killed. */
const REAPER_GRACE_MS = 5_000;

function formatExit(exit: ProcessExit): string {
  return exit.signal === null ? `exited with code ${exit.code}` : `was ended by ${exit.signal}`;
}

/**
 * Starts a child process for an integration test (e.g. one modelrouter service) and waits until it is ready.
 * Its standard output and error are captured line by line for assertions and failure messages. If it exits,
 * cannot be spawned or is not ready within the timeout, it is killed and the promise rejects with its last
 * output lines.
 *
 * It runs under a small reaper process that kills it (and anything it started) when this process goes away,
 * however that happens, and it never keeps the test runner alive. Still stop it in `afterEach`/`afterAll` (or
 * start it through {@link createProcessGroup}) so that each test cleans up after itself.
 */
export async function startProcess(options: StartProcessOptions): Promise<RunningProcess> {
  const { name, command } = options;
  const args = options.args ?? [];
  const maxLines = options.maxOutputLines ?? 10_000;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...options.env })) {
    if (value !== undefined) env[key] = value;
  }
  const reaper = spawnReaper({ command, args, env, cwd: options.cwd });
  const label = `process "${name}" (${[command, ...args].join(" ").slice(0, 200)})`;

  const output: string[] = [];
  let dropped = 0;
  const lineListeners = new Set<(line: string) => void>();
  let exitStatus: ProcessExit | undefined;
  let reportedExit: ProcessExit | undefined;
  const exitListeners = new Set<(exit: ProcessExit) => void>();

  const tail = (): string => {
    if (output.length === 0 && dropped === 0) return "no output";
    const shown = output.slice(-TAIL_LINES);
    const total = output.length + dropped;
    const header = shown.length === total ? `output (${total} lines):` : `last ${shown.length} of ${total} output lines:`;
    return `${header}\n${shown.map((line) => `  | ${line}`).join("\n")}`;
  };

  const onLine = (line: string): void => {
    output.push(line);
    if (output.length > maxLines) {
      output.shift();
      dropped += 1;
    }
    for (const listener of [...lineListeners]) listener(line);
  };
  if (reaper.stdout !== null) createInterface({ input: reaper.stdout, crlfDelay: Infinity }).on("line", onLine);
  if (reaper.stderr !== null) createInterface({ input: reaper.stderr, crlfDelay: Infinity }).on("line", onLine);

  const spawned = new Promise<number>((resolve, reject) => {
    reaper.on("message", (message: unknown) => {
      const report = asReaperReport(message);
      if (report?.type === "spawned") resolve(report.pid);
      if (report?.type === "error") reject(new Error(report.message));
      if (report?.type === "exit") reportedExit = { code: report.code, signal: report.signal };
    });
    reaper.once("error", reject);
    reaper.once("close", () => reject(new Error("the reaper process ended before the command was spawned")));
  });
  spawned.catch(() => undefined);

  const exited = new Promise<ProcessExit>((resolve) => {
    const finish = (exit: ProcessExit): void => {
      if (exitStatus !== undefined) return;
      exitStatus = exit;
      for (const listener of [...exitListeners]) listener(exit);
      resolve(exit);
    };
    reaper.once("close", (code, signal) => finish(reportedExit ?? { code, signal }));
    reaper.once("error", () => {
      if (reaper.pid === undefined) finish({ code: null, signal: null });
    });
  });

  const waitForLine = (predicate: (line: string) => boolean, timeoutMs = 10_000, what = "a matching line"): Promise<string> =>
    new Promise((resolve, reject) => {
      const existing = output.find(predicate);
      if (existing !== undefined) {
        resolve(existing);
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        lineListeners.delete(onNewLine);
        exitListeners.delete(onExit);
      };
      const onNewLine = (line: string): void => {
        if (!predicate(line)) return;
        done();
        resolve(line);
      };
      const onExit = (exit: ProcessExit): void => {
        done();
        reject(new Error(`${label} ${formatExit(exit)} before writing ${what}; ${tail()}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${label} did not write ${what} within ${timeoutMs} ms; ${tail()}`));
      }, timeoutMs);
      if (exitStatus !== undefined) {
        onExit(exitStatus);
        return;
      }
      lineListeners.add(onNewLine);
      exitListeners.add(onExit);
    });

  let pid: number | undefined;
  const kill = (): Promise<ProcessExit> => {
    if (exitStatus !== undefined) return exited;
    holdEventLoop(reaper, true);
    // SIGKILL the command itself, so that the reaper reaps it (no zombie) and then ends its group; the whole
    // group goes at once if the command is not running yet or the reaper does not finish.
    if (pid === undefined) {
      killReaperGroup(reaper);
      return exited;
    }
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      killReaperGroup(reaper);
    }
    const fallback = setTimeout(() => killReaperGroup(reaper), REAPER_GRACE_MS);
    return exited.finally(() => clearTimeout(fallback));
  };

  try {
    pid = await spawned;
    if (options.readyWhen !== undefined) {
      await waitForLine(options.readyWhen, options.timeoutMs ?? 30_000, "its ready line");
    }
  } catch (error) {
    await kill();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(message.startsWith(label) ? message : `${label} could not be started: ${message}; ${tail()}`);
  }
  holdEventLoop(reaper, false);

  const running = pid;
  const stop = async (signal: NodeJS.Signals = "SIGTERM", timeoutMs = 10_000): Promise<number | null> => {
    if (exitStatus !== undefined) return exitStatus.code;
    holdEventLoop(reaper, true);
    try {
      process.kill(running, signal);
    } catch {
      // It has just exited; `exited` settles with how.
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (result !== "timeout") return result.code;
    await kill();
    throw new Error(`${label} did not exit within ${timeoutMs} ms of ${signal}, so it was killed; ${tail()}`);
  };

  return {
    name,
    pid: running,
    get output() {
      return [...output];
    },
    get exited() {
      if (exitStatus === undefined) holdEventLoop(reaper, true);
      return exited;
    },
    waitForLine: (predicate, timeoutMs) => waitForLine(predicate, timeoutMs),
    stop,
    kill,
  };
}
