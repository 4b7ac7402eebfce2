import { startProcess, type RunningProcess, type StartProcessOptions } from "./start-process.js";

/** Processes started together and stopped together, e.g. the five services of an end-to-end test. */
export interface ProcessGroup {
  /** Starts a process (see {@link startProcess}) and remembers it for {@link ProcessGroup.stopAll}. */
  start(options: StartProcessOptions): Promise<RunningProcess>;
  /**
   * Stops every process still running, all at once, with `signal` (default SIGTERM), killing any that has
   * not exited after `timeoutMs` (default 10 000 ms), and forgets them. Resolves with each process's exit
   * code by name; rejects after all have ended if any had to be killed, with their output.
   */
  stopAll(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Record<string, number | null>>;
}

/**
 * Creates an empty {@link ProcessGroup}. Call `stopAll` in `afterEach`/`afterAll`, so that the processes of
 * a failed or timed-out test are ended too.
 */
export function createProcessGroup(): ProcessGroup {
  const running = new Set<RunningProcess>();
  return {
    async start(options) {
      const started = await startProcess(options);
      running.add(started);
      return started;
    },
    async stopAll(signal = "SIGTERM", timeoutMs = 10_000) {
      const processes = [...running];
      running.clear();
      const results = await Promise.allSettled(processes.map((p) => p.stop(signal, timeoutMs)));
      const codes: Record<string, number | null> = {};
      const failures: string[] = [];
      results.forEach((result, i) => {
        const name = processes[i]?.name ?? String(i);
        if (result.status === "fulfilled") codes[name] = result.value;
        else failures.push(result.reason instanceof Error ? result.reason.message : String(result.reason));
      });
      if (failures.length > 0) throw new Error(failures.join("\n\n"));
      return codes;
    },
  };
}
