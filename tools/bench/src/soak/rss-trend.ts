/** RSS of every process at one moment of a soak. */
export interface RssSample {
  /** Seconds since the soak's load started. */
  readonly atS: number;
  /** MiB by process name. */
  readonly mib: Readonly<Record<string, number>>;
}

/** The least-squares slope of y over x; NaN with fewer than two distinct x. */
export function leastSquaresSlope(points: readonly { readonly x: number; readonly y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  return sxx === 0 ? Number.NaN : sxy / sxx;
}

/** How one process's RSS moved during a soak, after its warm-up. */
export interface RssTrend {
  readonly process: string;
  /** MiB per minute (least squares over the samples after warm-up). */
  readonly slopeMibPerMin: number;
  readonly firstMib: number;
  readonly lastMib: number;
  readonly maxMib: number;
  /** Mean RSS after warm-up, MiB. */
  readonly meanMib: number;
  /** Growth the slope projects over 30 minutes, as a share of the mean. */
  readonly projected30MinShare: number;
  /** True when that projected growth stays within `flatShare` of the mean. */
  readonly flat: boolean;
}

/**
 * The RSS trend of each process from samples taken during a soak, ignoring those before `warmupS` (start-up
 * allocations, JIT, pools filling). A process is flat when its slope, projected over 30 minutes, grows it by
 * no more than `flatShare` (default 5 %) of its mean.
 */
export function rssTrends(samples: readonly RssSample[], warmupS: number, flatShare = 0.05): RssTrend[] {
  const after = samples.filter((s) => s.atS >= warmupS);
  const names = [...new Set(after.flatMap((s) => Object.keys(s.mib)))];
  return names.map((name) => {
    const points = after.filter((s) => s.mib[name] !== undefined).map((s) => ({ x: s.atS / 60, y: s.mib[name]! }));
    const slope = leastSquaresSlope(points);
    const mean = points.reduce((sum, p) => sum + p.y, 0) / Math.max(1, points.length);
    const projected = (slope * 30) / mean;
    return {
      process: name,
      slopeMibPerMin: slope,
      firstMib: points[0]?.y ?? Number.NaN,
      lastMib: points.at(-1)?.y ?? Number.NaN,
      maxMib: Math.max(...points.map((p) => p.y)),
      meanMib: mean,
      projected30MinShare: projected,
      flat: Number.isFinite(projected) && projected <= flatShare,
    };
  });
}
