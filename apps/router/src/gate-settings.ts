import type { EnvReader } from "@modelrouter/config";
import { DEFAULT_ADAPTIVE_CONCURRENCY, DEFAULT_TENANT_LIMIT, parseTenantLimits, TENANT_LIMITS_FORMAT, type RequestGateSettings } from "@modelrouter/router-service";

/** The service tiers from the highest to the lowest, by default (the demo policies' tiers). */
export const DEFAULT_TIERS = ["premium", "standard", "free"] as const;

/**
 * The gate in front of Infer, InferStream and Explain: `MODELROUTER_TENANT_LIMITS` (per-tenant rate limits and
 * concurrency quotas), `MODELROUTER_ADMISSION` (`adaptive`, the default, or `off`) with
 * `MODELROUTER_ADMISSION_MIN_CONCURRENCY`, `…_MAX_CONCURRENCY` and `…_LATENCY_TOLERANCE`, and `MODELROUTER_TIERS`
 * (highest first). Every problem names the variable and the fix.
 */
export function readGateSettings(env: EnvReader): RequestGateSettings {
  const raw = env.optionalString("MODELROUTER_TENANT_LIMITS") ?? "";
  const parsed = parseTenantLimits(raw);
  if (!parsed.ok) for (const problem of parsed.problems) env.problem(`MODELROUTER_TENANT_LIMITS: ${problem}; expected ${TENANT_LIMITS_FORMAT}`);
  const tenants = parsed.ok ? { defaults: parsed.defaults, overrides: parsed.overrides } : { defaults: DEFAULT_TENANT_LIMIT, overrides: new Map() };

  const d = DEFAULT_ADAPTIVE_CONCURRENCY;
  const mode = env.oneOf("MODELROUTER_ADMISSION", ["adaptive", "off"] as const, "adaptive");
  const minLimit = env.int("MODELROUTER_ADMISSION_MIN_CONCURRENCY", d.minLimit, { min: 1, max: 100_000 });
  const maxLimit = env.int("MODELROUTER_ADMISSION_MAX_CONCURRENCY", d.maxLimit, { min: 1, max: 100_000 });
  if (maxLimit < minLimit) {
    env.problem(`MODELROUTER_ADMISSION_MAX_CONCURRENCY: must not be below MODELROUTER_ADMISSION_MIN_CONCURRENCY (${minLimit}); raise it or lower the minimum`);
  }
  const tolerance = env.number("MODELROUTER_ADMISSION_LATENCY_TOLERANCE", d.tolerance, { min: 1.1, max: 100 });

  const tiers = (env.optionalString("MODELROUTER_TIERS") ?? DEFAULT_TIERS.join(","))
    .split(",")
    .map((tier) => tier.trim())
    .filter((tier) => tier !== "");
  if (tiers.length === 0 || new Set(tiers).size !== tiers.length) {
    env.problem('MODELROUTER_TIERS: give the service tiers from the highest to the lowest, each once, comma-separated, e.g. "premium,standard,free"');
  }
  return {
    tenants,
    admission:
      mode === "off"
        ? undefined
        : { ...d, minLimit, maxLimit: Math.max(minLimit, maxLimit), initialLimit: Math.min(Math.max(d.initialLimit, minLimit), Math.max(minLimit, maxLimit)), tolerance },
    tiers: tiers.length === 0 ? [...DEFAULT_TIERS] : tiers,
  };
}
