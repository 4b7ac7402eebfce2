import type { OtlpReceiver } from "@modelrouter/testing";
import type { ScenarioSpec } from "./scenario-spec.js";

/** One process of a scenario, named for tables (e.g. "router", "analyzer", "front", "hop1"). */
export interface ScenarioProcess {
  readonly name: string;
  readonly pid: number;
}

/** A started scenario, ready to take load on `address`. */
export interface RunningScenario {
  readonly spec: ScenarioSpec;
  /** `host:port` of its front server. */
  readonly address: string;
  readonly processes: readonly ScenarioProcess[];
  /** The OTLP receiver its processes export to (tracing scenarios only). */
  readonly receiver?: OtlpReceiver;
  /** Bytes of the answer to the benchmark request, as one typed call saw it. */
  readonly responseBytes: number;
  /** Stops every process (and the receiver). */
  stop(): Promise<void>;
}
