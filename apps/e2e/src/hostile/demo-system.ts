import { loadDemoModels, loadDemoPolicies } from "@modelrouter/model-zoo";
import { startModelrouter, type RunningSystem, type Topology } from "@modelrouter/testing";
import { validInferInit } from "./fuzz-methods.js";

/** Resolves once `probe` resolves (retrying every 100 ms), or rejects with its last error after `attempts` tries. */
export async function eventually<T>(probe: () => Promise<T>, attempts = 300): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await probe();
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

/**
 * Starts modelrouter with the demo catalogue (the zoo's models and the `digits` policy), and resolves once a
 * digit image is routed and answered end to end.
 */
export async function startDemoSystem(topology: Topology, env: Readonly<Record<string, string | undefined>> = {}): Promise<RunningSystem> {
  const system = await startModelrouter(topology, env);
  try {
    for (const model of loadDemoModels()) await system.registry.registerModel({ model });
    for (const policy of loadDemoPolicies()) await system.registry.applyPolicy({ policy });
    await eventually(() => system.router.infer(validInferInit(), { timeoutMs: 5_000 }));
    return system;
  } catch (error) {
    await system.stop().catch(() => undefined);
    throw error;
  }
}

/** True while the process with this id exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The names of the system's processes that are no longer running. */
export function deadProcesses(system: RunningSystem): string[] {
  return system.processes.filter((p) => !isAlive(p.pid)).map((p) => p.name);
}
