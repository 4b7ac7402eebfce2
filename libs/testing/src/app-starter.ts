import { join } from "node:path";
import type { ProcessGroup } from "./process-group.js";
import { repoRoot } from "./start-modelrouter.js";
import type { RunningProcess } from "./start-process.js";

/** A service's log line saying it is ready. */
const isReadyLine = (line: string): boolean => line.includes('"msg":"ready"');

/** Starts one of modelrouter's apps (`apps/<app>/dist/main.js`) in a process group, with its settings. */
export type AppStarter = (name: string, app: string, env: Readonly<Record<string, string>>) => Promise<RunningProcess>;

/**
 * An {@link AppStarter} for `group`: each process gets only the settings it is given, none of the test runner's
 * `MODELROUTER_*` and `OTEL_*` variables, logs at info, exports traces to a closed port, and counts as started
 * once it reports ready (within 60 s).
 */
export function appStarter(group: ProcessGroup): AppStarter {
  const unset = Object.fromEntries(Object.keys(process.env).filter((key) => key.startsWith("MODELROUTER_") || key.startsWith("OTEL_")).map((key) => [key, undefined]));
  const base = { ...unset, MODELROUTER_LOG_LEVEL: "info", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:9/v1/traces" };
  return (name, app, env) =>
    group.start({
      name,
      command: process.execPath,
      args: [join(repoRoot, "apps", app, "dist", "main.js")],
      cwd: repoRoot,
      env: { ...base, ...env },
      readyWhen: isReadyLine,
      timeoutMs: 60_000,
    });
}
