import { readFileSync } from "node:fs";
import { createRawClient, statusName } from "../grpc/raw-grpc.js";
import { runOpenLoop } from "../loadgen/drivers.js";
import { createHistogram, percentilesUs, type Histogram, type LatencyPercentiles } from "../loadgen/histogram.js";
import { parseLoadgenOptions } from "../loadgen/loadgen-options.js";
import { createRandom } from "../loadgen/random.js";

/** What one open-model run at a fixed rate saw, by status (the overload generator's standard output). */
export interface OverloadLoadResult {
  readonly ratePerSecond: number;
  readonly durationS: number;
  /** Requests of the measured window by gRPC status name. */
  readonly statusCounts: Readonly<Record<string, number>>;
  /** OK answers per second of the measured window. */
  readonly goodput: number;
  /** Latency of OK answers, µs, from the intended send time (the open model). */
  readonly okLatencyUs: LatencyPercentiles;
  /** Latency of refusals (RESOURCE_EXHAUSTED, UNAVAILABLE), µs, from the moment the call was sent. */
  readonly rejectionLatencyUs: LatencyPercentiles;
  /** Latency of every other failure, µs, from the moment the call was sent. */
  readonly otherErrorLatencyUs: LatencyPercentiles;
  /** Requests the generator could not send within the deadline of their intended time (counted as lost). */
  readonly dropped: number;
}

const REFUSALS = new Set([8, 14]); // RESOURCE_EXHAUSTED, UNAVAILABLE

/**
 * The overload generator: the load generator's open model (same options as `dist/loadgen/main.js --rate R`), with
 * the latency of refusals measured apart from answers. Prints one {@link OverloadLoadResult} on stdout.
 */
async function main(): Promise<void> {
  const options = parseLoadgenOptions(process.argv.slice(2));
  if (options.mode.kind !== "open") throw new Error("give --rate: the overload generator runs the open model only");
  const request = readFileSync(options.requestFile);
  const client = createRawClient({ address: options.target, path: options.path, connections: options.connections });
  await client.ready(10_000);
  const rejections: Histogram = createHistogram();
  const others: Histogram = createHistogram();
  const now = (): number => Number(process.hrtime.bigint());
  let measuring = false;
  const outcome = await runOpenLoop(
    {
      warmupS: options.warmupS,
      durationS: options.durationS,
      ratePerSecond: options.mode.ratePerSecond,
      maxInFlight: options.mode.maxInFlight,
      arrival: options.mode.arrival,
      random: createRandom(options.seed),
      maxSendDelayS: options.deadlineMs / 1000,
    },
    {
      now,
      call: async () => {
        const counted = measuring;
        const sent = now();
        const { code } = await client.call(request, options.deadlineMs);
        if (counted && code !== 0) (REFUSALS.has(code) ? rejections : others).record(now() - sent);
        return code;
      },
      onPhase: (phase) => {
        measuring = phase === "measure";
      },
    },
  );
  client.close();
  const statusCounts: Record<string, number> = {};
  for (const [code, n] of Object.entries(outcome.statusCounts)) statusCounts[statusName(Number(code))] = n;
  const result: OverloadLoadResult = {
    ratePerSecond: options.mode.ratePerSecond,
    durationS: options.durationS,
    statusCounts,
    goodput: (outcome.statusCounts[0] ?? 0) / options.durationS,
    okLatencyUs: outcome.latency,
    rejectionLatencyUs: percentilesUs(rejections),
    otherErrorLatencyUs: percentilesUs(others),
    dropped: outcome.schedule?.dropped ?? 0,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

await main();
