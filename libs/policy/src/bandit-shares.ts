/**
 * Bounds a bandit's choice probabilities: first the off-greedy mass (every arm but `greedy`) is capped so that
 * after the floor it is at most `maxExploration`, then every arm gets at least `minShare`
 * (q_i = s + (1 − k·s)·p_i). The result sums to 1; when both bounds cannot hold (`maxExploration` below
 * (k − 1)·`minShare`), the floor wins. With `minShare` = 1/k every arm gets 1/k.
 *
 * @param probabilities - each arm's probability of being the best, summing to 1
 * @param greedy - the arm with the highest expected reward
 * @param minShare - in [0, 1/k]
 * @param maxExploration - in [0, 1]
 */
export function boundedShares(
  probabilities: readonly number[],
  greedy: number,
  minShare: number,
  maxExploration: number,
): number[] {
  const k = probabilities.length;
  if (k === 1) return [1];
  const floor = Math.min(minShare, 1 / k);
  const spread = 1 - k * floor;
  const offGreedy = 1 - (probabilities[greedy] ?? 0);
  const allowed = spread > 0 ? Math.max(0, (maxExploration - (k - 1) * floor) / spread) : 0;
  const scale = offGreedy > allowed && offGreedy > 0 ? allowed / offGreedy : 1;
  return probabilities.map((p, i) => {
    const capped = i === greedy ? 1 - scale * offGreedy : scale * p;
    return floor + spread * capped;
  });
}

/** The index drawn from `shares` (summing to 1) with one uniform number in [0, 1). */
export function drawShare(shares: readonly number[], draw: number): number {
  let left = draw;
  for (let i = 0; i < shares.length; i++) {
    left -= shares[i] as number;
    if (left < 0) return i;
  }
  let last = shares.length - 1;
  while (last > 0 && !((shares[last] as number) > 0)) last--;
  return last;
}
