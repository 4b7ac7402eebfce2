import type { EnvReader } from "@modelrouter/config";
import { parseHostPort } from "@modelrouter/syntax";

const VARIABLE = "MODELROUTER_EXECUTOR_ADDRESS";
const EXAMPLE = "for example 10.0.0.5:50055,10.0.0.6:50055 or executor.modelrouter.svc.cluster.local:50055 (a headless Service)";

/**
 * `MODELROUTER_EXECUTOR_ADDRESS`: a comma-separated list of executor `host:port`s (default 127.0.0.1:50055), each
 * an IP address (one instance) or a DNS name (one instance per address it resolves to). Duplicates count once;
 * a bad entry is reported through `env`, naming the variable and the expected form.
 */
export function readExecutorAddresses(env: EnvReader): readonly string[] {
  const raw = env.string(VARIABLE, "127.0.0.1:50055");
  const entries = raw.split(",").map((entry) => entry.trim());
  const bad = entries.filter((entry) => parseHostPort(entry) === undefined);
  if (bad.length > 0) {
    const named = bad.map((entry) => (entry === "" ? "an empty entry" : JSON.stringify(entry))).join(", ");
    env.problem(`${VARIABLE}=${JSON.stringify(raw)}: ${named} ${bad.length > 1 ? "are" : "is"} not host:port; expected a comma-separated list of host:port, ${EXAMPLE}`);
    return ["127.0.0.1:50055"];
  }
  return [...new Set(entries)];
}
