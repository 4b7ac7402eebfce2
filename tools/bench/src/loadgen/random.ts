/** A seeded source of uniform numbers in [0, 1), so that a run's randomness can be replayed. */
export type Random = () => number;

/**
 * A small, fast seeded generator (mulberry32). Not for cryptography; only so that arrival jitter in the load
 * generator is the same for the same `--seed`.
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An exponentially distributed gap with the given mean (Poisson arrivals), drawn from `random`. */
export function exponentialGap(mean: number, random: Random): number {
  return -Math.log(1 - random()) * mean;
}
