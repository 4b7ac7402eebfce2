import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { loadgenArgs, type LoadgenOptions } from "../loadgen/loadgen-options.js";
import { PHASE_PREFIX, type LoadgenResult } from "../loadgen/loadgen-result.js";

const loadgenScript = fileURLToPath(new URL("../loadgen/main.js", import.meta.url));

/** Hooks of {@link runLoadgen}. */
export interface LoadgenHooks {
  /** The generator process has started (its pid, for CPU accounting). */
  readonly onStart?: (pid: number) => void;
  /** The measured window starts / ends (the generator's own markers). */
  readonly onMeasureStart?: () => void;
  readonly onMeasureEnd?: () => void;
  /** A progress line of the generator. */
  readonly onProgress?: (line: string) => void;
}

/**
 * Runs the load generator as a child process (`dist/loadgen/main.js`) and resolves with its JSON result. It
 * exits by itself when this process goes away (its standard input closes), and is killed if it overruns its
 * time by more than a minute.
 */
export function runLoadgen(options: Omit<LoadgenOptions, "exitWithStdin">, hooks: LoadgenHooks = {}): Promise<LoadgenResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [loadgenScript, ...loadgenArgs({ ...options, exitWithStdin: true })], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    if (child.pid !== undefined) hooks.onStart?.(child.pid);
    const limitMs = (options.warmupS + options.durationS) * 1000 + options.deadlineMs + 60_000;
    const killer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    let stdout = "";
    let ended = false;
    const stderr: string[] = [];
    // The generator waits for its stdin to close before exiting, so that it is still there (and its CPU
    // counters readable) when the measured window's end is processed here.
    const release = (): void => {
      if (ended && stdout.endsWith("\n")) child.stdin.end();
    };
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      release();
    });
    createInterface({ input: child.stderr }).on("line", (line) => {
      if (line === `${PHASE_PREFIX}measure`) hooks.onMeasureStart?.();
      else if (line === `${PHASE_PREFIX}end`) {
        hooks.onMeasureEnd?.();
        ended = true;
        release();
      } else {
        stderr.push(line);
        hooks.onProgress?.(line);
      }
    });
    child.once("error", (error) => {
      clearTimeout(killer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(killer);
      try {
        if (code !== 0) throw new Error(`exited with ${signal ?? code}`);
        resolve(JSON.parse(stdout) as LoadgenResult);
      } catch (error) {
        reject(new Error(`load generator failed: ${(error as Error).message}\n${stderr.slice(-20).join("\n")}\n${stdout.slice(0, 2000)}`));
      }
    });
  });
}
