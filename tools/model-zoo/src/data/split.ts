import { createRng } from "../rng.js";

/** Sample indices of a train/test split. */
export interface Split {
  readonly train: readonly number[];
  readonly test: readonly number[];
}

/**
 * A fixed random split of `count` samples: a seeded shuffle of 0…count−1, the first `testCount` indices for
 * the test set and the rest for training. The same arguments always give the same split.
 */
export function seededSplit(count: number, testCount: number, seed: number): Split {
  const order = createRng(seed).shuffle(Array.from({ length: count }, (_, i) => i));
  return { test: order.slice(0, testCount), train: order.slice(testCount) };
}
