/** A deterministic source of random choices: the same seed gives the same sequence. */
export interface Random {
  readonly seed: number;
  /** A number in [0, 1). */
  next(): number;
  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(length: number): Uint8Array;
}

/**
 * The hostile suite's seed: `HOSTILE_SEED` when set (to replay a failure), otherwise a fixed default so that
 * every run sends the same corpus.
 */
export function hostileSeed(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env["HOSTILE_SEED"];
  if (raw === undefined || raw === "") return 0x5eed_0007;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`HOSTILE_SEED must be an integer, got "${raw}"`);
  return seed >>> 0;
}

/**
 * How many times the default corpus the hostile suite sends: `HOSTILE_CASES_SCALE` when set (a whole number from
 * 1 to 100, e.g. 5 for the full-size run of docs/reliability.md), otherwise 1, the size CI runs.
 */
export function hostileCasesScale(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env["HOSTILE_CASES_SCALE"];
  if (raw === undefined || raw === "") return 1;
  const scale = Number(raw);
  if (!Number.isInteger(scale) || scale < 1 || scale > 100) {
    throw new Error(`HOSTILE_CASES_SCALE must be a whole number from 1 to 100 (how many times the CI corpus to send), got "${raw}"`);
  }
  return scale;
}

/** A mulberry32 generator: small, fast and good enough to pick fuzz cases. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);
  return {
    seed: seed >>> 0,
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error("pick from an empty list");
      return items[int(items.length)] as T;
    },
    bytes: (length) => Uint8Array.from({ length }, () => int(256)),
  };
}
