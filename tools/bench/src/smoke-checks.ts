/** What the smoke benchmark measured for one scenario. */
export interface SmokeFigures {
  /** p50 at one request in flight, µs. */
  readonly c1P50Us: number;
  /** Closed-loop throughput, req/s. */
  readonly closedThroughput: number;
  /** CPU µs per request of all its server processes in the closed loop. */
  readonly closedServerCpuUs: number;
  /** Non-OK answers over all its runs. */
  readonly errors: number;
}

/** The smoke's margins. Generous on purpose: the machine is shared; they catch a doubled routing cost, not drift. */
export interface SmokeLimits {
  /** Co-located c1 p50 may exceed the echo's by at most this, µs. */
  readonly maxAddedC1P50Us: number;
  /** Co-located closed-loop throughput must be at least this share of the echo's. */
  readonly minThroughputShare: number;
  /** Co-located server CPU per request may be at most this multiple of the echo server's. */
  readonly maxCpuRatio: number;
}

/**
 * The default margins. The CPU ratio is the one that catches a doubled routing cost: on the reference
 * machine (2 × EPYC, see docs/benchmarks.md) co-located modelrouter spent about 10× the echo server's CPU per
 * request (≈ 650 vs 66 µs at 16 in flight); a limit of 14× passes that with room for noise, and a doubled
 * routing cost (≈ 19×) fails it. Lower it as the router gets cheaper.
 */
export const DEFAULT_SMOKE_LIMITS: SmokeLimits = { maxAddedC1P50Us: 5000, minThroughputShare: 0.1, maxCpuRatio: 28 };

/** One smoke check and its outcome. */
export interface SmokeCheck {
  readonly name: string;
  readonly measured: string;
  readonly limit: string;
  readonly pass: boolean;
}

/** Checks co-located modelrouter against the echo baseline of the same smoke run. */
export function smokeChecks(echo: SmokeFigures, colocated: SmokeFigures, limits: SmokeLimits = DEFAULT_SMOKE_LIMITS): SmokeCheck[] {
  const added = colocated.c1P50Us - echo.c1P50Us;
  const share = colocated.closedThroughput / echo.closedThroughput;
  const cpuRatio = colocated.closedServerCpuUs / echo.closedServerCpuUs;
  return [
    {
      name: "no errors",
      measured: `echo ${echo.errors}, co-located ${colocated.errors} non-OK answers`,
      limit: "0",
      pass: echo.errors === 0 && colocated.errors === 0,
    },
    {
      name: "c1 p50 added over echo",
      measured: `${colocated.c1P50Us.toFixed(0)} − ${echo.c1P50Us.toFixed(0)} = ${added.toFixed(0)} µs`,
      limit: `≤ ${limits.maxAddedC1P50Us} µs`,
      pass: added <= limits.maxAddedC1P50Us,
    },
    {
      name: "closed-loop throughput vs echo",
      measured: `${colocated.closedThroughput.toFixed(0)} / ${echo.closedThroughput.toFixed(0)} req/s = ${(share * 100).toFixed(1)} %`,
      limit: `≥ ${(limits.minThroughputShare * 100).toFixed(0)} %`,
      pass: share >= limits.minThroughputShare,
    },
    {
      name: "server CPU per request vs echo",
      measured: `${colocated.closedServerCpuUs.toFixed(0)} / ${echo.closedServerCpuUs.toFixed(0)} µs = ${cpuRatio.toFixed(1)}×`,
      limit: `≤ ${limits.maxCpuRatio}×`,
      pass: cpuRatio <= limits.maxCpuRatio,
    },
  ];
}
