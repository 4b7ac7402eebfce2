import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** How a process ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One service process to start. */
export interface SpawnRequest {
  /** The service's name, e.g. "decision-engine". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** The process's whole environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** The process is ready once a line of its output satisfies this. */
  readonly readyWhen: (line: string) => boolean;
  /** How long it may take to be ready. */
  readonly readyTimeoutMs: number;
  /** Called with each line it writes, standard output and error alike. */
  readonly onLine: (line: string) => void;
}

/** A started service process. */
export interface SpawnedProcess {
  readonly pid: number;
  /** Settles once it is ready; rejects, with its last output, if it exits or the timeout passes first. */
  readonly ready: Promise<void>;
  /** Resolves once it has exited and its output is read. Never rejects. */
  readonly exited: Promise<ProcessExit>;
  /** Its most recent output lines. */
  readonly output: readonly string[];
  /** Sends it a signal (nothing happens if it has exited). */
  signal(signal: NodeJS.Signals): void;
}

/** Starts a process; resolves once it runs (or once it is ready, if the spawner waits for that itself). */
export type Spawner = (request: SpawnRequest) => Promise<SpawnedProcess>;

const KEPT_LINES = 200;

/** `exited with code 1`, `was ended by SIGKILL`. */
export function describeExit(exit: ProcessExit): string {
  return exit.signal === null ? `exited with code ${exit.code}` : `was ended by ${exit.signal}`;
}

/** The last lines of a process's output, indented, for an error message. */
export function outputTail(output: readonly string[], lines = 30): string {
  if (output.length === 0) return "(no output)";
  return output
    .slice(-lines)
    .map((line) => `  | ${line}`)
    .join("\n");
}

/**
 * The launcher's own spawner: a child process of this one, in this process's process group (so that a terminal's
 * Ctrl-C reaches it directly), its standard output and error read line by line.
 */
export const spawnChildProcess: Spawner = (request) =>
  new Promise((resolve, reject) => {
    const child = spawn(request.command, [...request.args], { cwd: request.cwd, env: request.env, stdio: ["ignore", "pipe", "pipe"] });
    const output: string[] = [];
    const readyListeners = new Set<(line: string) => void>();
    const onLine = (line: string): void => {
      output.push(line);
      if (output.length > KEPT_LINES) output.shift();
      request.onLine(line);
      for (const listener of [...readyListeners]) listener(line);
    };
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on("line", onLine);
    createInterface({ input: child.stderr, crlfDelay: Infinity }).on("line", onLine);
    const exited = new Promise<ProcessExit>((settle) => child.once("close", (code, signal) => settle({ code, signal })));
    const ready = new Promise<void>((settle, fail) => {
      const done = (): void => {
        clearTimeout(timer);
        readyListeners.delete(onReadyLine);
      };
      const onReadyLine = (line: string): void => {
        if (!request.readyWhen(line)) return;
        done();
        settle();
      };
      const timer = setTimeout(() => {
        done();
        fail(new Error(`${request.name} was not ready within ${request.readyTimeoutMs} ms\nits last output:\n${outputTail(output)}`));
      }, request.readyTimeoutMs);
      timer.unref();
      readyListeners.add(onReadyLine);
      void exited.then((exit) => {
        if (!readyListeners.has(onReadyLine)) return;
        done();
        fail(new Error(`${request.name} ${describeExit(exit)} before it was ready\nits last output:\n${outputTail(output)}`));
      });
    });
    ready.catch(() => undefined);
    child.once("error", (error) => {
      if (child.pid === undefined) reject(new Error(`${request.name} could not be started (${request.command}): ${error.message}`));
    });
    child.once("spawn", () =>
      resolve({
        pid: child.pid!,
        ready,
        exited,
        get output() {
          return [...output];
        },
        signal(signal) {
          if (child.exitCode !== null || child.signalCode !== null) return;
          try {
            child.kill(signal);
          } catch {
            // It has just exited.
          }
        },
      }),
    );
  });
