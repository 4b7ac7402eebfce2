import type { Guard } from "@modelrouter/contracts";
import type { CompileReport } from "./policy-violation.js";

/** The recovery margin of a guard that sets none: 20 % inside each threshold. */
export const DEFAULT_RECOVERY_MARGIN = 0.2;
/** The samples a guarded figure needs by default before it counts. */
export const DEFAULT_GUARD_MIN_SAMPLES = 20;
/** The least time a degraded candidate stays degraded by default, in milliseconds. */
export const DEFAULT_GUARD_HOLD_MS = 30_000;
/** The share of a route's requests a degraded candidate still gets by default. */
export const DEFAULT_PROBE_SHARE = 0.05;
/** The longest `hold` a guard may set: one hour, in milliseconds. */
export const MAX_GUARD_HOLD_MS = 60 * 60_000;
/** The largest `probe_share` a guard may set. */
export const MAX_PROBE_SHARE = 0.5;

/**
 * A route's guard, checked and with its defaults filled in: the thresholds that make a candidate degraded
 * (at least one is set) and the hysteresis that brings it back (see `advanceGuard`).
 */
export interface CompiledGuard {
  /** Degraded below this accuracy from feedback, in [0, 1]; undefined: accuracy is not guarded. */
  readonly minAccuracy: number | undefined;
  /** Degraded above this share of failed attempts, in [0, 1]; undefined: not guarded. */
  readonly maxErrorRate: number | undefined;
  /** Degraded above this p95 latency in milliseconds (> 0); undefined: not guarded. */
  readonly maxP95LatencyMs: number | undefined;
  /** How far inside each threshold a degraded candidate must be to recover, in [0, 1). */
  readonly recoveryMargin: number;
  /** The samples (attempts, or labelled answers for accuracy) a figure needs before it counts; at least 1. */
  readonly minSamples: number;
  /** The least time a degraded candidate stays degraded, in milliseconds. */
  readonly holdMs: number;
  /** The share of the route's requests a degraded candidate still gets, in [0, 0.5]. */
  readonly probeShare: number;
}

function inRange(value: number, low: number, high: number, highOpen = false): boolean {
  return Number.isFinite(value) && value >= low && (highOpen ? value < high : value <= high);
}

/**
 * Checks a route's `guard` and compiles it; undefined when the route has none. Every threshold and setting is
 * checked against its range and reported under `<path>.guard.<field>` with the fix: accuracy and error rate in
 * [0, 1], latency above 0, at least one threshold, `recovery_margin` in [0, 1), `probe_share` in [0, 0.5],
 * `hold` from 0 to 1 hour.
 */
export function compileGuard(guard: Guard | undefined, path: string, report: CompileReport): CompiledGuard | undefined {
  if (guard === undefined) return undefined;
  const at = `${path}.guard`;
  const { minAccuracy, maxErrorRate, maxP95LatencyMs, recoveryMargin, probeShare } = guard;
  if (minAccuracy === undefined && maxErrorRate === undefined && maxP95LatencyMs === undefined) {
    report.violation(
      at,
      "sets no threshold: set at least one of min_accuracy (for example 0.9), max_error_rate (0.1) or " +
        "max_p95_latency_ms (250), or remove the guard",
    );
  }
  if (minAccuracy !== undefined && !inRange(minAccuracy, 0, 1)) {
    report.violation(`${at}.min_accuracy`, `is ${minAccuracy}: give an accuracy from 0 to 1, for example 0.9`);
  }
  if (maxErrorRate !== undefined && !inRange(maxErrorRate, 0, 1)) {
    report.violation(`${at}.max_error_rate`, `is ${maxErrorRate}: give a share of failed attempts from 0 to 1, for example 0.1`);
  }
  if (maxP95LatencyMs !== undefined && !(Number.isFinite(maxP95LatencyMs) && maxP95LatencyMs > 0)) {
    report.violation(`${at}.max_p95_latency_ms`, `is ${maxP95LatencyMs}: give a latency in milliseconds above 0, for example 250`);
  }
  if (recoveryMargin !== undefined && !inRange(recoveryMargin, 0, 1, true)) {
    report.violation(
      `${at}.recovery_margin`,
      `is ${recoveryMargin}: give a fraction from 0 up to (not including) 1, for example 0.2 (recover 20 % inside each threshold)`,
    );
  }
  if (probeShare !== undefined && !inRange(probeShare, 0, MAX_PROBE_SHARE)) {
    report.violation(
      `${at}.probe_share`,
      `is ${probeShare}: give the share of requests a degraded candidate still gets, from 0 to ${MAX_PROBE_SHARE}, for example 0.05`,
    );
  }
  let holdMs = DEFAULT_GUARD_HOLD_MS;
  if (guard.hold !== undefined) {
    const { seconds, nanos } = guard.hold;
    const ms = Number(seconds) * 1000 + nanos / 1e6;
    if (seconds < 0n || nanos < 0 || !inRange(ms, 0, MAX_GUARD_HOLD_MS)) {
      report.violation(`${at}.hold`, `is ${ms / 1000} s: give a duration from 0 to 1 hour, for example 30s`);
    } else holdMs = ms;
  }
  return {
    minAccuracy,
    maxErrorRate,
    maxP95LatencyMs,
    recoveryMargin: recoveryMargin ?? DEFAULT_RECOVERY_MARGIN,
    minSamples: guard.minSamples === 0 ? DEFAULT_GUARD_MIN_SAMPLES : guard.minSamples,
    holdMs,
    probeShare: probeShare ?? DEFAULT_PROBE_SHARE,
  };
}
