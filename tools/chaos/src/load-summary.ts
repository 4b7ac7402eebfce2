import type { RequestRecord } from "./load-driver.js";

/** What a load's records add up to. */
export interface LoadSummary {
  readonly requests: number;
  readonly ok: number;
  /** Final status code name → how many requests ended with it (OK included). */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Latency percentiles of the OK requests, milliseconds. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** The `q` quantile (0…1) of `values` by the nearest-rank method; 0 for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Counts the records by final status, with the latency percentiles of the successful ones. */
export function summarize(records: readonly RequestRecord[]): LoadSummary {
  const byStatus: Record<string, number> = {};
  for (const r of records) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const okLatencies = records.filter((r) => r.status === "OK").map((r) => r.latencyMs);
  return {
    requests: records.length,
    ok: okLatencies.length,
    byStatus,
    p50Ms: quantile(okLatencies, 0.5),
    p99Ms: quantile(okLatencies, 0.99),
    maxMs: okLatencies.length === 0 ? 0 : Math.max(...okLatencies),
  };
}

/** The statuses other than those allowed, with how many requests ended with each. */
export function unexpectedStatuses(summary: LoadSummary, allowed: readonly string[]): Record<string, number> {
  return Object.fromEntries(Object.entries(summary.byStatus).filter(([status]) => !allowed.includes(status)));
}

/** The first request sent at or after `fromMs` that ended OK (its end time), or undefined. */
export function firstOkEndedAfter(records: readonly RequestRecord[], fromMs: number): RequestRecord | undefined {
  return records.filter((r) => r.status === "OK" && r.endedAtMs >= fromMs).sort((a, b) => a.endedAtMs - b.endedAtMs)[0];
}

/** `byStatus` as `OK 1,200 · UNAVAILABLE 3`. */
export function formatStatuses(byStatus: Readonly<Record<string, number>>): string {
  return Object.entries(byStatus)
    .sort((a, b) => b[1] - a[1])
    .map(([status, count]) => `${status} ${count.toLocaleString("en-US")}`)
    .join(" · ");
}

/** The distinct messages of the failed requests (at most `limit`), as `UNAVAILABLE: … (×12)`. */
export function failureMessages(records: readonly RequestRecord[], limit = 3): string[] {
  const counts = new Map<string, number>();
  for (const r of records) {
    if (r.status === "OK") continue;
    const key = `${r.status}: ${(r.message ?? "").slice(0, 160)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([key, n]) => `${key} (×${n})`);
}
