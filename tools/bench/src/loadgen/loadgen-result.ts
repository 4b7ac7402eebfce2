import type { LatencyPercentiles } from "./histogram.js";
import type { LoadgenMode } from "./loadgen-options.js";

/** The load generator's machine-readable result (its standard output, one JSON object). */
export interface LoadgenResult {
  readonly target: string;
  readonly path: string;
  readonly mode: LoadgenMode;
  readonly connections: number;
  readonly warmupS: number;
  readonly durationS: number;
  readonly seed: number;
  /** Requests of the measured window that completed (OK or not). */
  readonly completed: number;
  /** Completed requests per second of measured window. */
  readonly achievedRate: number;
  /** Completed requests by gRPC status name, e.g. `{ "OK": 9998, "UNAVAILABLE": 2 }`. */
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Completed requests whose status was not OK: a run with errors is not a clean measurement. */
  readonly errors: number;
  readonly warmupCompleted: number;
  readonly warmupErrors: number;
  /** Latency of successful requests, µs (open model: from the intended send time). */
  readonly latencyUs: LatencyPercentiles;
  /** Open model only: how well the generator kept to its schedule. */
  readonly schedule?: {
    readonly intended: number;
    readonly sent: number;
    readonly dropped: number;
    readonly late: number;
    readonly sendLagUs: LatencyPercentiles;
  };
  /** The generator's own CPU during the measured window. */
  readonly cpu: { readonly userMs: number; readonly systemMs: number; readonly perRequestUs: number };
  readonly requestBytes: number;
  /** Size of the last successful answer, bytes (0 if none). */
  readonly responseBytes: number;
}

/** The line prefix with which the generator announces phases on stderr (`@@phase measure`, `@@phase end`). */
export const PHASE_PREFIX = "@@phase ";
