/** How one repetition of a timed loop runs. */
export interface BlockTimingOptions {
  /** Calls made before timing starts, so that the JIT has compiled the hot path. */
  readonly warmupCalls: number;
  /** Timed blocks per repetition. */
  readonly blocks: number;
  /** Calls per timed block: the block's time divided by this is one sample of the time per call. */
  readonly blockSize: number;
}

/** One repetition: the mean time per call of each block, and the throughput over all blocks. */
export interface BlockTiming {
  /** Mean nanoseconds per call of each block, in the order measured. */
  readonly blockMeansNs: readonly number[];
  /** Calls per second over the timed blocks. */
  readonly callsPerSecond: number;
}

/** The summary of one repetition. */
export interface TimingSummary {
  readonly callsPerSecond: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/**
 * Times `call` on this thread: `warmupCalls` untimed calls, then `blocks` blocks of `blockSize` calls, each
 * block timed with `process.hrtime.bigint()` (one call of a few µs is too short to time alone). Every result
 * is folded into a checksum so that no call can be optimised away; the checksum is returned with the timing.
 */
export function timeInBlocks(call: () => string, options: BlockTimingOptions): BlockTiming & { readonly checksum: number } {
  let checksum = 0;
  for (let i = 0; i < options.warmupCalls; i++) checksum += call().length;
  const blockMeansNs: number[] = [];
  let totalNs = 0n;
  for (let block = 0; block < options.blocks; block++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < options.blockSize; i++) checksum += call().length;
    const elapsed = process.hrtime.bigint() - start;
    totalNs += elapsed;
    blockMeansNs.push(Number(elapsed) / options.blockSize);
  }
  const calls = options.blocks * options.blockSize;
  return { blockMeansNs, callsPerSecond: calls / (Number(totalNs) / 1e9), checksum };
}

/** The value at quantile `q` (0–1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error("quantile of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Throughput, and the median and p99 of the block means in microseconds. */
export function summarise(timing: BlockTiming): TimingSummary {
  return {
    callsPerSecond: timing.callsPerSecond,
    p50Us: quantile(timing.blockMeansNs, 0.5) / 1000,
    p99Us: quantile(timing.blockMeansNs, 0.99) / 1000,
  };
}

/** The median of each figure over repetitions (each figure's median on its own). */
export function medianOfRepetitions(repetitions: readonly TimingSummary[]): TimingSummary {
  return {
    callsPerSecond: quantile(repetitions.map((r) => r.callsPerSecond), 0.5),
    p50Us: quantile(repetitions.map((r) => r.p50Us), 0.5),
    p99Us: quantile(repetitions.map((r) => r.p99Us), 0.5),
  };
}
