import { parseHostPort } from "@modelrouter/syntax";
import { LaunchError } from "./launch-error.js";
import { EXECUTORS_VARIABLE, MAX_EXECUTORS } from "./more-executors.js";
import type { ListenOverrides } from "./listen-addresses.js";
import { DEFAULT_LISTEN, ENDPOINTS, listenVariable, retiredPortVariable, type Endpoint } from "./services.js";

/** What `npm start` reads from its own environment. */
export interface LaunchSettings {
  /** The `MODELROUTER_<SERVICE>_LISTEN` and `MODELROUTER_ROUTER_HTTP_LISTEN` that are set. */
  readonly listen: ListenOverrides;
  /** `MODELROUTER_REGISTRY_DATA_DIR`, when set. */
  readonly dataDir: string | undefined;
  /** `MODELROUTER_LAUNCH_EXECUTORS`, when set: how many executor processes to run (distributed only). */
  readonly executors: number | undefined;
}

const value = (env: Readonly<Record<string, string | undefined>>, name: string): string | undefined => {
  const raw = env[name]?.trim();
  return raw === undefined || raw === "" ? undefined : raw;
};

const withPort = (host: string, port: string): string => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`);

/**
 * Reads the launcher's settings from the same variables the services read: `MODELROUTER_<SERVICE>_LISTEN` (SERVICE
 * in ROUTER, ANALYZER, DECISION, REGISTRY, EXECUTOR), `MODELROUTER_ROUTER_HTTP_LISTEN` and
 * `MODELROUTER_REGISTRY_DATA_DIR`, and the launcher's own `MODELROUTER_LAUNCH_EXECUTORS` (how many executor
 * processes). The old launcher's names (`MODELROUTER_<SERVICE>_PORT`, `MODELROUTER_HTTP_PORT`, `MODELROUTER_HOST`)
 * are refused with a {@link LaunchError} that gives the variable to set instead.
 */
export function readLaunchSettings(env: Readonly<Record<string, string | undefined>>): LaunchSettings {
  const problems: string[] = [];
  const oldHost = value(env, "MODELROUTER_HOST");
  const listen: Partial<Record<Endpoint, string>> = {};
  for (const endpoint of ENDPOINTS) {
    const set = value(env, listenVariable(endpoint));
    if (set !== undefined) listen[endpoint] = set;
    const retired = retiredPortVariable(endpoint);
    const port = value(env, retired);
    if (port === undefined) continue;
    const host = oldHost ?? parseHostPort(DEFAULT_LISTEN[endpoint])?.host ?? "127.0.0.1";
    problems.push(`${retired}=${port} is no longer read: set ${listenVariable(endpoint)}=${withPort(host, port)} instead`);
  }
  if (oldHost !== undefined) {
    problems.push(
      `MODELROUTER_HOST=${oldHost} is no longer read: put the host in each listen address, for example ${listenVariable("router")}=${withPort(oldHost, "50051")}`,
    );
  }
  const executors = value(env, EXECUTORS_VARIABLE);
  if (executors !== undefined && !/^\d+$/.test(executors)) {
    problems.push(`${EXECUTORS_VARIABLE}=${executors}: expected a whole number from 1 to ${MAX_EXECUTORS}, the executor processes to run`);
  }
  if (problems.length > 0) throw new LaunchError(problems);
  return { listen, dataDir: value(env, "MODELROUTER_REGISTRY_DATA_DIR"), executors: executors === undefined ? undefined : Number(executors) };
}
