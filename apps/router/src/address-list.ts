import type { EnvReader } from "@modelrouter/config";
import { parseHostPort } from "@modelrouter/syntax";

/**
 * A `MODELROUTER_<SERVICE>_ADDRESS` that may list several instances: a comma-separated list of `host:port`s, each an
 * IP address (one instance) or a DNS name (one instance per address it resolves to, such as a Kubernetes headless
 * Service). Duplicates count once; a bad entry is reported through `env`, naming the variable and the expected form
 * with `example` (e.g. "executor.modelrouter.svc.cluster.local:50055").
 */
export function readAddressList(env: EnvReader, variable: string, fallback: string, example: string): readonly string[] {
  const raw = env.string(variable, fallback);
  const entries = raw.split(",").map((entry) => entry.trim());
  const bad = entries.filter((entry) => parseHostPort(entry) === undefined);
  if (bad.length > 0) {
    const named = bad.map((entry) => (entry === "" ? "an empty entry" : JSON.stringify(entry))).join(", ");
    const [host, port] = [example.slice(0, example.lastIndexOf(":")), example.slice(example.lastIndexOf(":") + 1)];
    env.problem(
      `${variable}=${JSON.stringify(raw)}: ${named} ${bad.length > 1 ? "are" : "is"} not host:port; expected a comma-separated list of host:port, ` +
        `for example 10.0.0.5:${port},10.0.0.6:${port} or ${host}:${port} (a headless Service)`,
    );
    return [fallback];
  }
  return [...new Set(entries)];
}
