import { createHistogram, percentilesUs, type Histogram, type LatencyPercentiles } from "./histogram.js";

/** gRPC's OK status code. */
export const GRPC_OK = 0;

/** The measured window of a run, on the run's clock (nanoseconds). */
export interface MeasureWindow {
  readonly startNs: number;
  readonly endNs: number;
}

/** What a run recorded inside its measured window. */
export interface RecordedRun {
  /** Requests counted (their start, or intended start, fell in the window) that completed. */
  readonly completed: number;
  /** Completed requests by gRPC status code (0 is OK). */
  readonly statusCounts: Readonly<Record<number, number>>;
  /** Completed requests whose status was not OK. */
  readonly errors: number;
  /** Requests started before the window (warm-up), by completion. */
  readonly warmupCompleted: number;
  /** Warm-up requests whose status was not OK. */
  readonly warmupErrors: number;
  /** Latency of the counted requests that succeeded, from their (intended) start to their answer. */
  readonly latency: LatencyPercentiles;
}

/** Collects the outcome of each request of a run (open or closed loop). */
export interface RunRecorder {
  readonly window: MeasureWindow;
  /**
   * Records a request that started (or was meant to start) at `startNs` and ended at `endNs` with gRPC status
   * `code`. Only requests starting inside the window count; earlier ones are warm-up, later ones are ignored.
   */
  record(startNs: number, endNs: number, code: number): void;
  /** True when `startNs` lies in the measured window. */
  inWindow(startNs: number): boolean;
  result(): RecordedRun;
  /** The latency histogram (nanoseconds) of counted successful requests. */
  readonly histogram: Histogram;
}

/** Creates a {@link RunRecorder} for a measured window. */
export function createRunRecorder(window: MeasureWindow): RunRecorder {
  const histogram = createHistogram();
  const statusCounts: Record<number, number> = {};
  let completed = 0;
  let errors = 0;
  let warmupCompleted = 0;
  let warmupErrors = 0;
  const inWindow = (startNs: number): boolean => startNs >= window.startNs && startNs < window.endNs;
  return {
    window,
    histogram,
    inWindow,
    record(startNs, endNs, code) {
      if (startNs < window.startNs) {
        warmupCompleted += 1;
        if (code !== GRPC_OK) warmupErrors += 1;
        return;
      }
      if (!inWindow(startNs)) return;
      completed += 1;
      statusCounts[code] = (statusCounts[code] ?? 0) + 1;
      if (code === GRPC_OK) histogram.record(endNs - startNs);
      else errors += 1;
    },
    result() {
      return { completed, statusCounts: { ...statusCounts }, errors, warmupCompleted, warmupErrors, latency: percentilesUs(histogram) };
    },
  };
}
