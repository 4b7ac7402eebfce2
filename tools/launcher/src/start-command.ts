import { join } from "node:path";
import { parseArgs } from "node:util";
import { startBanner } from "./banner.js";
import { launch, repositoryRoot, type LaunchHandle } from "./launch.js";
import { LaunchError } from "./launch-error.js";
import { formatExits } from "./launch-outcome.js";
import { readLaunchSettings } from "./launch-settings.js";
import { prettyLogLine } from "./log-lines.js";
import type { Topology } from "./services.js";

/** Where the start command writes: service log lines and the banner to `out`, its own messages to `err`. */
export interface Terminal {
  out(line: string): void;
  err(line: string): void;
}

/** What delivers the launcher's signals (the process, in `main`). */
export interface SignalSource {
  on(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown;
  off(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown;
}

const USAGE = `usage: npm start [-- --colocated]

Starts modelrouter from the built apps: the distributed topology (five processes), or with --colocated one
router process hosting the other four services; registers the model zoo and applies the demo policies; prints
how to call it. Ctrl-C stops everything: the exit code is 0 when every service stopped cleanly.

Ports: MODELROUTER_<SERVICE>_LISTEN (SERVICE: ROUTER, ANALYZER, DECISION, REGISTRY, EXECUTOR; default
127.0.0.1:50051…50055) and MODELROUTER_ROUTER_HTTP_LISTEN (default 127.0.0.1:8080, or off).
Registry data: MODELROUTER_REGISTRY_DATA_DIR (default .modelrouter/registry).`;

/**
 * `npm start`: reads the settings from `env`, launches the topology, seeds the demo, prints the banner, and waits
 * until the services have exited. A terminal's Ctrl-C (SIGINT) reaches every service itself, so the launcher sends
 * nothing more and waits; SIGTERM is passed on to each service; a repeated signal says which services it is still
 * waiting for. Resolves with the exit code: 0 when every service stopped cleanly, 1 when one failed (named in
 * the last line), 2 when it could not start as configured.
 */
export async function runStart(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, terminal: Terminal, signals: SignalSource): Promise<number> {
  let topology: Topology;
  try {
    const { values } = parseArgs({ args: [...argv], options: { colocated: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
    if (values.help === true) {
      terminal.out(USAGE);
      return 0;
    }
    topology = values.colocated === true ? "co-located" : "distributed";
  } catch (error) {
    terminal.err(`modelrouter: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }

  let handle: LaunchHandle;
  try {
    const settings = readLaunchSettings(env);
    terminal.out(
      topology === "distributed"
        ? "Starting the distributed topology: five services, each its own process…"
        : "Starting the co-located topology: router, analyzer, decision-engine, executor and registry in one process…",
    );
    handle = await launch({
      topology,
      listen: settings.listen,
      dataDir: settings.dataDir ?? join(repositoryRoot, ".modelrouter", "registry"),
      ...(settings.executors === undefined ? {} : { executors: settings.executors }),
      baseEnv: env,
      seedDemo: true,
      onLogLine: (name, line) => terminal.out(prettyLogLine(name, line)),
    });
  } catch (error) {
    if (!(error instanceof LaunchError)) throw error;
    terminal.err(`modelrouter: ${error.message}`);
    return 2;
  }

  let firstSignalAt: number | undefined;
  const onSignal = (signal: "SIGINT" | "SIGTERM"): void => {
    if (firstSignalAt === undefined) {
      firstSignalAt = Date.now();
      terminal.err(`\nmodelrouter: stopping (${signal}); waiting for the services to finish their calls and exit…`);
      // The terminal's Ctrl-C reached every process of the group; a SIGTERM was sent to the launcher alone.
      void handle.stop(signal, { alreadySent: signal === "SIGINT" });
      return;
    }
    const left = Math.max(0, Math.ceil((firstSignalAt + handle.stopTimeoutMs - Date.now()) / 1000));
    terminal.err(`modelrouter: still stopping; waiting for ${handle.running().join(", ") || "nothing"} (killed in ${left} s if still running)`);
  };
  const onInterrupt = (): void => onSignal("SIGINT");
  const onTerminate = (): void => onSignal("SIGTERM");
  signals.on("SIGINT", onInterrupt);
  signals.on("SIGTERM", onTerminate);
  try {
    // When it is not ready, the services are stopped and the outcome's failure says why.
    await handle.ready.then(
      () => terminal.out(`\n${startBanner({ topology, addresses: handle.addresses, env })}\n`),
      () => undefined,
    );
    const outcome = await handle.exited;
    terminal.err(
      outcome.code === 0
        ? `modelrouter: stopped; every service exited 0 (${formatExits(outcome.exits)})`
        : `modelrouter: ${outcome.failure ?? "failed"} (${formatExits(outcome.exits)})`,
    );
    return outcome.code;
  } finally {
    signals.off("SIGINT", onInterrupt);
    signals.off("SIGTERM", onTerminate);
  }
}
