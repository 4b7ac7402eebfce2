import type { BenchOptions } from "../cli-options.js";
import type { MachineInfo } from "../report/machine-info.js";
import type { ScenarioId } from "../scenarios/scenario-spec.js";
import type { RunRecord } from "./run-record.js";

/** A scenario as the result describes it. */
export interface ScenarioInfo {
  readonly id: ScenarioId;
  readonly label: string;
  readonly processes: readonly string[];
  /** Bytes of the answer (typed call at start-up). */
  readonly responseBytes: number;
  /** RSS of each process after warm-up, before load, MiB. */
  readonly idleRssMib: Readonly<Record<string, number>>;
  /** RSS of each process at the end of the run, MiB. */
  readonly finalRssMib: Readonly<Record<string, number>>;
}

/** The whole machine-readable result of one benchmark invocation. */
export interface BenchResult {
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The command line, as typed (relative to the repository root). */
  readonly command: string;
  readonly machine: MachineInfo;
  readonly options: BenchOptions;
  readonly requestBytes: number;
  /** Notes about the run itself (e.g. h2load missing). */
  readonly notes: readonly string[];
  readonly scenarios: readonly ScenarioInfo[];
  readonly runs: readonly RunRecord[];
}
