import { seededRandom } from "@modelrouter/policy";

/** A seeded source of uniform numbers in [0, 1), so that a run's randomness can be replayed. */
export type Random = () => number;

/**
 * A small, fast seeded generator (mulberry32). Not for cryptography; only so that arrival jitter in the load
 * generator is the same for the same `--seed`.
 */
export function createRandom(seed: number): Random {
  return seededRandom(seed);
}

/** An exponentially distributed gap with the given mean (Poisson arrivals), drawn from `random`. */
export function exponentialGap(mean: number, random: Random): number {
  return -Math.log(1 - random()) * mean;
}
