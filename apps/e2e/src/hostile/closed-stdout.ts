import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { freePort, repoRoot } from "@modelrouter/testing";
import { cpuSecondsOf } from "./proc-stats.js";

/** A service started with its standard output on a pipe this test owns, so that the test can close its reading end. */
export interface PipedService {
  readonly pid: number;
  /** Destroys this end of the stdout pipe: the service's next write gets EPIPE. */
  closeStdout(): void;
  /**
   * Sends SIGTERM and watches the process for up to `waitMs`: whether it exited (and how), and how much CPU it
   * used after the signal (sampled every 100 ms while it runs). Kills it if it is still running.
   */
  terminate(waitMs: number): Promise<{ readonly exited: boolean; readonly exitCode: number | null; readonly signal: string | null; readonly cpuSecondsAfterSigterm: number }>;
  /** SIGKILL, if still running. */
  kill(): void;
}

/**
 * Starts the analyzer (the smallest service) from its build with stdout and stderr piped to this process, and
 * resolves once it logs "ready". Not through `startProcess`, whose reaper owns the pipes.
 */
export async function startAnalyzerWithPipedStdout(): Promise<PipedService> {
  const host = "127.0.0.1";
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, "apps", "analyzer", "dist", "main.js")], {
    cwd: repoRoot,
    env: {
      ...process.env,
      MODELROUTER_ANALYZER_LISTEN: `${host}:${await freePort(host)}`,
      MODELROUTER_LOG_LEVEL: "info",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:9/v1/traces",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("the analyzer could not be spawned");
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  child.stderr?.resume();
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`the analyzer did not log "ready" within 30 s:\n${output.join("\n")}`)), 30_000);
    lines.on("line", (line) => {
      output.push(line);
      if (line.includes('"msg":"ready"')) {
        clearTimeout(timer);
        lines.close();
        resolve();
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`the analyzer exited before it was ready:\n${output.join("\n")}`));
    });
  });
  let running = true;
  void exit.then(() => {
    running = false;
  });
  return {
    pid,
    closeStdout: () => child.stdout?.destroy(),
    async terminate(waitMs) {
      const before = cpuSecondsOf(pid);
      let last = before;
      child.kill("SIGTERM");
      const sampler = setInterval(() => {
        try {
          last = cpuSecondsOf(pid);
        } catch {
          // Gone: the last sample stands.
        }
      }, 100);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), waitMs);
      });
      const result = await Promise.race([exit, timedOut]);
      clearTimeout(timer);
      clearInterval(sampler);
      if (result === "timeout") {
        try {
          last = cpuSecondsOf(pid);
        } catch {
          // It exited just now.
        }
        child.kill("SIGKILL");
        await exit;
        return { exited: false, exitCode: null, signal: null, cpuSecondsAfterSigterm: Math.round((last - before) * 100) / 100 };
      }
      return { exited: true, exitCode: result.code, signal: result.signal, cpuSecondsAfterSigterm: Math.round((last - before) * 100) / 100 };
    },
    kill() {
      if (running) child.kill("SIGKILL");
    },
  };
}
