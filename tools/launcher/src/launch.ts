import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EnvReader } from "@modelrouter/config";
import { outcomeOf, type LaunchOutcome } from "./launch-outcome.js";
import { resolveListen, type ListenOverrides } from "./listen-addresses.js";
import { isReadyLine, isShuttingDownLine } from "./log-lines.js";
import { moreExecutorListen } from "./more-executors.js";
import { checkPortsFree } from "./port-check.js";
import { planProcesses, systemAddresses, type ProcessPlan, type SystemAddresses } from "./process-plan.js";
import { seedDemo } from "./seed-demo.js";
import type { Topology } from "./services.js";
import { describeExit, spawnChildProcess, type ProcessExit, type SpawnedProcess, type Spawner } from "./spawner.js";

/** The repository root: the built services are `apps/<name>/dist/main.js` under it. */
export const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** What to start and how. */
export interface LaunchOptions {
  readonly topology: Topology;
  /** Listen addresses (`MODELROUTER_<SERVICE>_LISTEN`); the others take their defaults, 127.0.0.1:50051…50055 and :8080. */
  readonly listen?: ListenOverrides;
  /**
   * How many executor processes to run (distributed only; default 1): the first at the executor's listen address,
   * the others at the ports after it, each an instance of every model; the router is given them all.
   */
  readonly executors?: number;
  /** The registry's PGlite data directory. Default: the registry's own (`.modelrouter/registry` in `root`). */
  readonly dataDir?: string;
  /** Variables laid over `baseEnv` for every process; `undefined` removes one. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The environment the processes inherit. Default: this process's. */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** Node.js arguments put before each service's script, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  /** Receives every line a service writes, with the service's name (`seed` for the seeding's progress). */
  readonly onLogLine?: (name: string, line: string) => void;
  /** Once the services are ready, register the model zoo and apply the demo policies, and wait until they route. */
  readonly seedDemo?: boolean;
  /** Where `apps/<name>/dist/main.js` are and the working directory of the services. Default: this repository. */
  readonly root?: string;
  /** How the processes are started. Default: child processes in this process's process group. */
  readonly spawner?: Spawner;
  /**
   * Watch the processes: when one exits while the others run, stop them all and fail (default). `false`: only
   * `stop()` looks at them, for tests that kill a service on purpose (nothing then keeps this process alive).
   */
  readonly supervise?: boolean;
  /** How long each process may take to be ready. Default 120 000 ms. */
  readonly readyTimeoutMs?: number;
  /**
   * How long a stop waits for the services before it kills the rest with SIGKILL. Default: their shutdown grace
   * (`MODELROUTER_SHUTDOWN_GRACE`, 10 s) + 20 s, past the 15 s after which a service gives up draining itself.
   */
  readonly stopTimeoutMs?: number;
  /**
   * With `stop(signal, { alreadySent: true })`, how long a service has to log that it is shutting down before the
   * launcher sends it the signal itself. Default 3000 ms.
   */
  readonly signalCheckMs?: number;
}

/** Options of {@link LaunchHandle.stop}. */
export interface StopOptions {
  /**
   * The services were sent the signal already: a terminal's Ctrl-C reaches every process of its foreground group.
   * The launcher then adds no signal of its own, except to a service that has not logged "shutting down" after a
   * few seconds (the signal was sent to the launcher alone).
   */
  readonly alreadySent?: boolean;
}

/** A process of a launch. */
export interface LaunchedProcess {
  readonly name: string;
  readonly pid: number;
}

/** A running launch. */
export interface LaunchHandle {
  readonly topology: Topology;
  /** Where to call it. */
  readonly addresses: SystemAddresses;
  /** The processes started so far, in start order. */
  readonly processes: readonly LaunchedProcess[];
  /**
   * Settles once every process is ready (and, with `seedDemo`, the demo routes); rejects, naming the service and
   * with its last output, if one exits or times out first (the others are then stopped) or if a stop came first.
   */
  readonly ready: Promise<void>;
  /** Resolves once every process has exited (after a failure or a stop), with how each ended. */
  readonly exited: Promise<LaunchOutcome>;
  /** How long a stop waits before it kills what is left with SIGKILL, in ms. */
  readonly stopTimeoutMs: number;
  /** The names of the processes that have not exited (for a supervised launch, or once stopping). */
  running(): readonly string[];
  /**
   * Stops every process with `signal` (default SIGTERM) and resolves with the outcome once all have exited; those
   * still running after {@link LaunchHandle.stopTimeoutMs} are killed. Calling it again changes nothing and
   * resolves with the same outcome.
   */
  stop(signal?: NodeJS.Signals, options?: StopOptions): Promise<LaunchOutcome>;
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) defined[key] = value;
  return defined;
}

interface Tracked {
  readonly name: string;
  readonly process: SpawnedProcess;
  exit: ProcessExit | undefined;
  ready: boolean;
  watching: boolean;
}

/**
 * Starts modelrouter's services as processes from the built apps, in the given topology: the registry first, then
 * the analyzer, executor and decision engine, then the router (or one router process co-locating the other four),
 * each given its listen address and the addresses of the services it calls, derived from theirs. Before anything
 * starts, the listen addresses are checked and every port must be free: a {@link LaunchError} names the variable
 * to change. Resolves with a handle at once; await its `ready`.
 */
export async function launch(options: LaunchOptions): Promise<LaunchHandle> {
  const { topology } = options;
  const root = options.root ?? repositoryRoot;
  const listen = resolveListen(topology, options.listen);
  const moreExecutors = moreExecutorListen(topology, listen, options.executors ?? 1);
  await checkPortsFree(topology, listen, moreExecutors);
  const addresses = systemAddresses(topology, listen);
  const stages = planProcesses(topology, listen, options.dataDir, moreExecutors);
  const baseEnv = { ...(options.baseEnv ?? process.env), ...options.env };
  const graceMs = new EnvReader(baseEnv).durationMs("MODELROUTER_SHUTDOWN_GRACE", 10_000);
  const stopTimeoutMs = options.stopTimeoutMs ?? graceMs + 20_000;
  const spawner = options.spawner ?? spawnChildProcess;
  const supervise = options.supervise ?? true;
  const log = options.onLogLine ?? (() => undefined);

  const tracked: Tracked[] = [];
  const failures: string[] = [];
  const killed: string[] = [];
  let stopping: { readonly signal: NodeJS.Signals } | undefined;
  let startSettled = false;
  let finish: (outcome: LaunchOutcome) => void = () => undefined;
  const exited = new Promise<LaunchOutcome>((resolve) => (finish = resolve));
  const timers: NodeJS.Timeout[] = [];

  const maybeFinish = (): void => {
    if (!startSettled || tracked.some((t) => t.exit === undefined)) return;
    if (!supervise && stopping === undefined) return;
    for (const timer of timers) clearTimeout(timer);
    finish(outcomeOf(Object.fromEntries(tracked.map((t) => [t.name, t.exit!])), failures, killed, stopTimeoutMs));
  };

  const watch = (entry: Tracked): void => {
    if (entry.watching) return;
    entry.watching = true;
    void entry.process.exited.then((exit) => {
      entry.exit = exit;
      // Before it was ready, the start sequence reports it (its spawner's message says how it ended).
      if (stopping === undefined && supervise && entry.ready) {
        failures.push(`${entry.name} ${describeExit(exit)} while running, so the others were stopped`);
        beginStop("SIGTERM", false);
      }
      maybeFinish();
    });
  };

  const beginStop = (signal: NodeJS.Signals, alreadySent: boolean): void => {
    if (stopping !== undefined) return;
    stopping = { signal };
    for (const entry of tracked) {
      if (!alreadySent) entry.process.signal(signal);
      watch(entry);
    }
    if (alreadySent) {
      const check = setTimeout(() => {
        for (const entry of tracked) {
          if (entry.exit === undefined && !entry.process.output.some(isShuttingDownLine)) entry.process.signal(signal);
        }
      }, options.signalCheckMs ?? 3000);
      check.unref();
      timers.push(check);
    }
    const kill = setTimeout(() => {
      for (const entry of tracked) {
        if (entry.exit !== undefined) continue;
        killed.push(entry.name);
        entry.process.signal("SIGKILL");
      }
    }, stopTimeoutMs);
    kill.unref();
    timers.push(kill);
    maybeFinish();
  };

  const fail = (message: string): void => {
    if (stopping !== undefined) return;
    failures.push(message);
    beginStop("SIGTERM", false);
  };

  const startOne = async (plan: ProcessPlan): Promise<void> => {
    const spawned = await spawner({
      name: plan.name,
      command: process.execPath,
      args: [...(options.nodeArgs ?? []), join(root, "apps", plan.app, "dist", "main.js")],
      env: definedOnly({ ...baseEnv, ...plan.env }),
      cwd: root,
      readyWhen: isReadyLine,
      readyTimeoutMs: options.readyTimeoutMs ?? 120_000,
      onLine: (line) => log(plan.name, line),
    });
    const entry: Tracked = { name: plan.name, process: spawned, exit: undefined, ready: false, watching: false };
    tracked.push(entry);
    if (supervise || stopping !== undefined) watch(entry);
    // Started after the stop began: it was not among those the stop (or a terminal) signalled.
    if (stopping !== undefined) spawned.signal(stopping.signal);
    await spawned.ready;
    entry.ready = true;
  };

  const start = async (): Promise<void> => {
    try {
      for (const stage of stages) {
        if (stopping !== undefined) break;
        const results = await Promise.allSettled(stage.map(startOne));
        const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed !== undefined) {
          const message = failed.reason instanceof Error ? failed.reason.message : String(failed.reason);
          fail(message.split("\n")[0] ?? message);
          throw new Error(message);
        }
      }
      if (stopping !== undefined) throw new Error("stopped before every service was ready");
      if (options.seedDemo === true) {
        await seedDemo(addresses, root, definedOnly(baseEnv), (line) => log("seed", line), () => stopping !== undefined).catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          fail(message);
          throw error;
        });
      }
    } finally {
      startSettled = true;
      maybeFinish();
    }
  };
  const ready = start();
  ready.catch(() => undefined);

  return {
    topology,
    addresses,
    get processes() {
      return tracked.map((t) => ({ name: t.name, pid: t.process.pid }));
    },
    ready,
    exited,
    stopTimeoutMs,
    running: () => tracked.filter((t) => t.exit === undefined).map((t) => t.name),
    stop(signal = "SIGTERM", stopOptions = {}) {
      beginStop(signal, stopOptions.alreadySent === true);
      return exited;
    },
  };
}
