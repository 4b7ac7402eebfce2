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
