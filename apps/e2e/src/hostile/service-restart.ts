import { join } from "node:path";
import { repoRoot, startProcess, type RunningProcess, type RunningSystem } from "@modelrouter/testing";

/**
 * Starts the distributed decision engine again on its old port, after its process was killed, and resolves
 * once it logs "ready" (it has loaded its first snapshot from the registry) — or rejects with its output if it
 * does not within `timeoutMs`.
 *
 * `RunningSystem` cannot restart one of its processes yet, so this rebuilds the engine's settings the way
 * `startModelrouter` sets them today (`MODELROUTER_DECISION_LISTEN`, `MODELROUTER_REGISTRY_ADDRESS`); a
 * `system.restart(name)` in @modelrouter/testing should replace it. The caller stops the returned process.
 */
export function restartDecisionEngine(system: RunningSystem, env: Readonly<Record<string, string | undefined>> = {}, timeoutMs = 30_000): Promise<RunningProcess> {
  const listen = system.addresses["decision-engine"];
  const registry = system.addresses["registry"];
  if (listen === undefined || registry === undefined) throw new Error("restartDecisionEngine needs the distributed topology");
  return startProcess({
    name: "decision-engine (restarted)",
    command: process.execPath,
    args: [join(repoRoot, "apps", "decision-engine", "dist", "main.js")],
    cwd: repoRoot,
    env: {
      MODELROUTER_LOG_LEVEL: "info",
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:9/v1/traces",
      OTEL_TRACES_SAMPLER: undefined,
      OTEL_SDK_DISABLED: undefined,
      ...env,
      MODELROUTER_DECISION_LISTEN: listen,
      MODELROUTER_REGISTRY_ADDRESS: registry,
    },
    readyWhen: (line) => line.includes('"msg":"ready"'),
    timeoutMs,
  });
}
