import { describeExit, type ProcessExit } from "./spawner.js";

/** How a launch ended, once every process it started has exited. */
export interface LaunchOutcome {
  /** 0 when every service stopped cleanly (exit code 0) after stop() and nothing failed; otherwise 1. */
  readonly code: 0 | 1;
  /** How each process ended, by name, in start order. */
  readonly exits: Readonly<Record<string, ProcessExit>>;
  /** What went wrong, naming the services, or undefined when `code` is 0. */
  readonly failure: string | undefined;
  /** The processes that had not exited when the stop timeout passed, and were killed with SIGKILL. */
  readonly killed: readonly string[];
}

/** `registry=0 router=1 executor=SIGKILL`: how each process ended. */
export function formatExits(exits: Readonly<Record<string, ProcessExit>>): string {
  return Object.entries(exits)
    .map(([name, exit]) => `${name}=${exit.signal ?? String(exit.code)}`)
    .join(" ");
}

/**
 * The outcome of a launch from what happened: the failures seen while it ran (a crash, a service that never
 * became ready, seeding that failed), the processes killed after the stop timeout, and each exit.
 */
export function outcomeOf(
  exits: Readonly<Record<string, ProcessExit>>,
  failures: readonly string[],
  killed: readonly string[],
  stopTimeoutMs: number,
): LaunchOutcome {
  const reported = new Set(killed);
  const unclean = Object.entries(exits).filter(
    ([name, exit]) => !reported.has(name) && !failures.some((f) => f.startsWith(`${name} `)) && (exit.code !== 0 || exit.signal !== null),
  );
  const problems = [...failures];
  if (unclean.length > 0) problems.push(`did not stop cleanly: ${unclean.map(([name, exit]) => `${name} ${describeExit(exit)}`).join(", ")}`);
  if (killed.length > 0) {
    const after = stopTimeoutMs < 1000 ? `${stopTimeoutMs} ms` : `${Math.round(stopTimeoutMs / 1000)} s`;
    problems.push(`${killed.join(", ")} had not stopped ${after} after the stop began, so ${killed.length === 1 ? "it was" : "they were"} killed (SIGKILL)`);
  }
  return {
    code: problems.length === 0 ? 0 : 1,
    exits,
    failure: problems.length === 0 ? undefined : problems.join("; "),
    killed,
  };
}
