import type { TenantLimit } from "./tenant-limiter.js";

/**
 * The default limits of a tenant: 1,000 requests/s with bursts of 2,000 and 512 in flight — far above what one
 * router on a small machine serves (its adaptive limit sheds load long before), so that they only stop a runaway
 * client from taking a whole replica.
 */
export const DEFAULT_TENANT_LIMIT: TenantLimit = { ratePerSecond: 1000, burst: 2000, concurrency: 512 };

/** Tenants' limits as written, or the problems of the text. */
export type ParsedTenantLimits =
  | { readonly ok: true; readonly defaults: TenantLimit; readonly overrides: ReadonlyMap<string, TenantLimit> }
  | { readonly ok: false; readonly problems: readonly string[] };

const TENANT = /^[A-Za-z0-9._-]{1,63}$/;
const RATE = /^(\d+(?:\.\d+)?)\/(s|min)$/;
const WHOLE = /^\d{1,9}$/;

/** The format, for error messages. */
export const TENANT_LIMITS_FORMAT =
  'entries separated by ";", each TENANT=RATE[,burst=N][,concurrency=N] with TENANT "*" (every other tenant) or a tenant ' +
  'name, RATE such as 50/s or 600/min, e.g. "*=50/s,burst=100,concurrency=64;acme=500/s,burst=1000,concurrency=256"';

/**
 * Parses `MODELROUTER_TENANT_LIMITS`-style text: `*=50/s,burst=100,concurrency=64;acme=500/s`. An entry's burst
 * defaults to one second of its rate (at least 1), its concurrency to the `*` entry's; `*` defaults to
 * {@link DEFAULT_TENANT_LIMIT}. Every problem names the entry and the fix.
 */
export function parseTenantLimits(text: string, defaults: TenantLimit = DEFAULT_TENANT_LIMIT): ParsedTenantLimits {
  const problems: string[] = [];
  const entries = new Map<string, { rate: number; burst?: number; concurrency?: number }>();
  for (const raw of text.split(";").map((s) => s.trim()).filter((s) => s !== "")) {
    const [head = "", ...options] = raw.split(",").map((s) => s.trim());
    const eq = head.indexOf("=");
    const name = eq < 0 ? head : head.slice(0, eq);
    const where = `entry ${JSON.stringify(raw)}`;
    if (eq < 0 || (name !== "*" && !TENANT.test(name))) {
      problems.push(`${where}: start it with a tenant name (letters, digits, ".", "_", "-") or "*" and "=RATE", e.g. "acme=500/s"`);
      continue;
    }
    if (entries.has(name)) {
      problems.push(`${where}: tenant ${JSON.stringify(name)} is given twice; keep one entry`);
      continue;
    }
    const rate = RATE.exec(head.slice(eq + 1));
    const perSecond = rate === null ? Number.NaN : Number(rate[1]) / (rate[2] === "min" ? 60 : 1);
    if (!(perSecond > 0)) {
      problems.push(`${where}: the rate ${JSON.stringify(head.slice(eq + 1))} must be a positive number of requests per second or minute, e.g. 50/s or 600/min`);
      continue;
    }
    const entry: { rate: number; burst?: number; concurrency?: number } = { rate: perSecond };
    for (const option of options) {
      const [key = "", value = ""] = option.split("=", 2).map((s) => s.trim());
      if ((key !== "burst" && key !== "concurrency") || !WHOLE.test(value) || Number(value) < 1) {
        problems.push(`${where}: ${JSON.stringify(option)} is not burst=N or concurrency=N with N a whole number of at least 1`);
        continue;
      }
      entry[key] = Number(value);
    }
    entries.set(name, entry);
  }
  if (problems.length > 0) return { ok: false, problems };
  const limitOf = (entry: { rate: number; burst?: number; concurrency?: number }, concurrency: number): TenantLimit => ({
    ratePerSecond: entry.rate,
    burst: entry.burst ?? Math.max(1, Math.ceil(entry.rate)),
    concurrency: entry.concurrency ?? concurrency,
  });
  const star = entries.get("*");
  const base = star === undefined ? defaults : limitOf(star, defaults.concurrency);
  const overrides = new Map<string, TenantLimit>();
  for (const [name, entry] of entries) if (name !== "*") overrides.set(name, limitOf(entry, base.concurrency));
  return { ok: true, defaults: base, overrides };
}
