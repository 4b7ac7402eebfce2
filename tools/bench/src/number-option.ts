/**
 * The number a command-line option gives, or `fallback` when it is absent. A value that is not a finite number
 * or fails `check` adds `--name must be <rule>, got "<raw>"` to `problems` and gives `fallback`, so that a
 * parser can report every bad option at once.
 */
export function numberOption(
  name: string,
  raw: string | undefined,
  fallback: number,
  check: (n: number) => boolean,
  rule: string,
  problems: string[],
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || !check(n)) {
    problems.push(`--${name} must be ${rule}, got "${raw}"`);
    return fallback;
  }
  return n;
}

/** Checks of {@link numberOption}. */
export const positive = (n: number): boolean => n > 0;
export const nonNegative = (n: number): boolean => n >= 0;
export const positiveInt = (n: number): boolean => Number.isInteger(n) && n > 0;
