import type { ScenarioProcess } from "../scenarios/running-scenario.js";

/** What every measurement needs from the orchestrator. */
export interface BenchContext {
  /** `CLK_TCK` of the `/proc` counters. */
  readonly ticksPerSecond: number;
  /** Progress output (stderr). */
  readonly log: (line: string) => void;
  /** Every process this benchmark started and still runs (all scenarios), for the foreign-CPU figure. */
  readonly ownProcesses: () => readonly ScenarioProcess[];
  /** The quiet-machine gate: busy below `maxBusyPct` (% of one core), waiting at most `maxWaitS`. */
  readonly quiet: { readonly maxBusyPct: number; readonly maxWaitS: number };
  /** The encoded request (no framing), for the load generator. */
  readonly requestFile: string;
  /** The gRPC-framed request, for h2load. */
  readonly bodyFile: string;
  readonly seed: number;
  /** Forward the load generator's progress lines to `log`. */
  readonly verbose: boolean;
}
