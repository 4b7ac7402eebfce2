import type { Model } from "@modelrouter/contracts";

/**
 * Compares two version strings naturally: runs of digits as numbers, everything else by code unit, so that
 * "2" < "10" and "1.9" < "1.10". Equal strings compare 0.
 */
export function compareVersions(a: string, b: string): number {
  const pattern = /(\d+)|(\D+)/g;
  const partsA = a.match(pattern) ?? [];
  const partsB = b.match(pattern) ?? [];
  const length = Math.min(partsA.length, partsB.length);
  for (let i = 0; i < length; i++) {
    const x = partsA[i] ?? "";
    const y = partsB[i] ?? "";
    if (x === y) continue;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    if (numeric) {
      const difference = BigInt(x) - BigInt(y);
      if (difference !== 0n) return difference < 0n ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return partsA.length - partsB.length;
}

function createdAt(model: Model): readonly [bigint, number] {
  const time = model.createTime;
  return time === undefined ? [-1n, 0] : [time.seconds, time.nanos];
}

/**
 * Orders versions of one model newest first: by `create_time` (newest first; a version without one is
 * oldest), ties broken by version string, greater first ({@link compareVersions}).
 */
export function newestFirst(a: Model, b: Model): number {
  const [secondsA, nanosA] = createdAt(a);
  const [secondsB, nanosB] = createdAt(b);
  if (secondsA !== secondsB) return secondsA > secondsB ? -1 : 1;
  if (nanosA !== nanosB) return nanosB - nanosA;
  return compareVersions(b.version, a.version);
}
