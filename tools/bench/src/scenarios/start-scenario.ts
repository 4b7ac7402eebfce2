import type { RunningScenario } from "./running-scenario.js";
import { scenarioSpec, type ScenarioId } from "./scenario-spec.js";
import { startBaseline } from "./start-baseline.js";
import { startModelrouterScenario } from "./start-modelrouter-scenario.js";

/** What starting a scenario needs. */
export interface StartScenarioOptions {
  readonly request: Uint8Array;
  /** The baselines' fixed answer. */
  readonly baselineResponse: Uint8Array;
  /** A temporary directory for the baselines' files. */
  readonly workDir: string;
  /** Variables for modelrouter's services. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Starts one scenario, a baseline or modelrouter. */
export function startScenario(id: ScenarioId, options: StartScenarioOptions): Promise<RunningScenario> {
  const spec = scenarioSpec(id);
  return spec.kind === "baseline"
    ? startBaseline(spec, { request: options.request, response: options.baselineResponse, workDir: options.workDir })
    : startModelrouterScenario(spec, { request: options.request, ...(options.env === undefined ? {} : { env: options.env }) });
}

/**
 * Starts scenarios one after another (so that start-up costs do not overlap); if one fails, those already
 * started are stopped and the error is rethrown.
 */
export async function startScenarios(
  ids: readonly ScenarioId[],
  options: StartScenarioOptions,
  log: (line: string) => void,
): Promise<RunningScenario[]> {
  const running: RunningScenario[] = [];
  try {
    for (const id of ids) {
      log(`  starting ${id}…`);
      running.push(await startScenario(id, options));
    }
    return running;
  } catch (error) {
    await stopScenarios(running, log);
    throw error;
  }
}

/** Stops scenarios, logging (not throwing) a failure to stop cleanly. */
export async function stopScenarios(running: readonly RunningScenario[], log: (line: string) => void): Promise<void> {
  for (const scenario of running) {
    try {
      await scenario.stop();
    } catch (error) {
      log(`  ${scenario.spec.id} did not stop cleanly: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    }
  }
}
