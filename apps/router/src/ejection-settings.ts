import type { EnvReader } from "@modelrouter/config";
import { DEFAULT_BREAKER_SETTINGS, type BreakerSettings } from "@modelrouter/router-service";

/**
 * The executor instances' circuit breakers (`MODELROUTER_EJECTION_*`), each checked against its range, a problem
 * naming the variable and the fix reported through `env`. The count of ejections starts again after an instance
 * has been HEALTHY for twice the longest ejection; a PROBING instance takes one request at a time.
 */
export function readEjectionSettings(env: EnvReader): BreakerSettings {
  const d = DEFAULT_BREAKER_SETTINGS;
  const errorRate = env.number("MODELROUTER_EJECTION_ERROR_RATE", d.errorRate, { min: 0, max: 1 });
  if (errorRate === 0) {
    env.problem('MODELROUTER_EJECTION_ERROR_RATE="0": would eject every instance; give a share of failed attempts above 0, up to 1 (the default 0.5)');
  }
  const baseEjectionMs = env.durationMs("MODELROUTER_EJECTION_BASE", d.baseEjectionMs);
  const maxEjectionMs = env.durationMs("MODELROUTER_EJECTION_MAX", d.maxEjectionMs);
  if (baseEjectionMs <= 0) env.problem("MODELROUTER_EJECTION_BASE: must be longer than 0, for example 1s");
  if (maxEjectionMs < baseEjectionMs) {
    env.problem(`MODELROUTER_EJECTION_MAX: must not be shorter than MODELROUTER_EJECTION_BASE (${baseEjectionMs} ms); raise it or lower the base`);
  }
  return {
    consecutiveFailures: env.int("MODELROUTER_EJECTION_CONSECUTIVE_FAILURES", d.consecutiveFailures, { min: 1, max: 10_000 }),
    errorRate: errorRate === 0 ? d.errorRate : errorRate,
    errorRateWindowMs: env.durationMs("MODELROUTER_EJECTION_ERROR_RATE_WINDOW", d.errorRateWindowMs),
    errorRateMinAttempts: env.int("MODELROUTER_EJECTION_MIN_REQUESTS", d.errorRateMinAttempts, { min: 1, max: 1_000_000 }),
    baseEjectionMs,
    maxEjectionMs,
    forgetAfterMs: 2 * maxEjectionMs,
    maxEjectedShare: env.number("MODELROUTER_EJECTION_MAX_SHARE", d.maxEjectedShare, { min: 0, max: 1 }),
    probes: d.probes,
  };
}
