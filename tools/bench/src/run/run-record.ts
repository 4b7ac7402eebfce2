import type { LatencyPercentiles } from "../loadgen/histogram.js";
import type { ScenarioId } from "../scenarios/scenario-spec.js";

/** Which measurement a run is. */
export type Phase = "verify" | "capacity" | "c1" | "rate";

/** Span accounting of a run of a tracing scenario. */
export interface SpanCount {
  /** Requests answered during the run, warm-up included (each should produce a full trace). */
  readonly requests: number;
  readonly spans: number;
  readonly perRequest: number;
  readonly expectedPerRequest: number;
  /** Spans per request by `service kind name` key. */
  readonly byKey: Readonly<Record<string, number>>;
  /** Lost spans: hops in fewer than 99 % of the window's traces, or roots for fewer than 95 % of its answers. */
  readonly missing: readonly string[];
}

/** One h2load invocation of a capacity run. */
export interface H2loadAttempt {
  readonly connections: number;
  readonly streams: number;
  readonly requestsPerSecond: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Share of answers that carried a full response body (≈1; lower means gRPC errors hidden in 200s). */
  readonly answeredShare: number;
  readonly meanRequestUs: number;
}

/** One measured run of one scenario. */
export interface RunRecord {
  readonly scenario: ScenarioId;
  readonly phase: Phase;
  /** Offered rate of an open-model run, req/s. */
  readonly rate?: number;
  readonly repetition: number;
  /** Why the run was not made (e.g. the rate is above 90 % of capacity); then nothing else is set. */
  readonly skipped?: string;
  readonly tool?: "loadgen" | "h2load";
  /** Requests completed in the measured window. */
  readonly completed?: number;
  /** Completed requests per second (capacity: the better h2load setting). */
  readonly throughput?: number;
  readonly latencyUs?: LatencyPercentiles;
  /** Requests with a non-OK gRPC status (or, for h2load, failed requests and missing bodies). */
  readonly errors?: number;
  readonly statusCounts?: Readonly<Record<string, number>>;
  /** Open model: schedule keeping of the generator. */
  readonly schedule?: { readonly dropped: number; readonly late: number; readonly sendLagP99Us: number };
  readonly h2load?: readonly H2loadAttempt[];
  /** CPU µs per completed request, by process name; includes "loadgen" or "h2load", and "bench". */
  readonly cpuUsPerRequest?: Readonly<Record<string, number>>;
  /** Highest RSS seen during the run, MiB, by process name (scenario processes only). */
  readonly rssMaxMib?: Readonly<Record<string, number>>;
  /** Machine-wide busy during the run and the part not ours, % of one core. */
  readonly machineBusyPct?: number;
  readonly foreignPct?: number;
  /** Seconds waited for a quiet machine before the run, and whether it got quiet. */
  readonly quietWaitS?: number;
  readonly quiet?: boolean;
  readonly spans?: SpanCount;
}
