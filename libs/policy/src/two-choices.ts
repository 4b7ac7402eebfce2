/**
 * The power of two choices: draws two distinct options at random and returns the one with the lower load
 * (the first drawn on a tie). Routers that each pick this way spread load almost as well as if they all
 * knew the least-loaded option, without herding onto it together (Mitzenmacher, 2001). With one option,
 * returns it; with none, undefined.
 *
 * @param count - how many options there are (indexes 0 … count-1)
 * @param loadOf - an option's load, for example its requests in flight
 * @param random - uniform numbers in [0, 1): the only source of chance
 */
export function pickOfTwoChoices(count: number, loadOf: (index: number) => number, random: () => number): number | undefined {
  if (count <= 0) return undefined;
  if (count === 1) return 0;
  const first = Math.min(count - 1, Math.floor(random() * count));
  const offset = 1 + Math.min(count - 2, Math.floor(random() * (count - 1)));
  const second = (first + offset) % count;
  return loadOf(second) < loadOf(first) ? second : first;
}

/**
 * The exact probability that {@link pickOfTwoChoices} picks option `chosen`, given every option's load: each
 * ordered pair (i, j) of distinct options is drawn with probability 1 / (n(n−1)), and `chosen` wins the pairs
 * where it is drawn first against an option at least as loaded (the first drawn wins a tie) and those where it
 * is drawn second against a more loaded one. 1 with one option; 0 for an index out of range. Allocates nothing.
 *
 * @param count - how many options there are (indexes 0 … count-1)
 * @param loadOf - an option's load, as passed to {@link pickOfTwoChoices}
 * @param chosen - the option picked
 */
export function twoChoicesProbability(count: number, loadOf: (index: number) => number, chosen: number): number {
  if (!Number.isInteger(chosen) || chosen < 0 || chosen >= count) return 0;
  if (count === 1) return 1;
  const load = loadOf(chosen);
  let won = 0;
  for (let other = 0; other < count; other++) {
    if (other === chosen) continue;
    const otherLoad = loadOf(other);
    if (!(otherLoad < load)) won += 1; // drawn first: wins unless the other is less loaded
    if (load < otherLoad) won += 1; // drawn second: wins only against a more loaded first
  }
  return won / (count * (count - 1));
}
