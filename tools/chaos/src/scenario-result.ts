/** One invariant a scenario checks: what must hold, whether it held, and what was seen. */
export interface Invariant {
  readonly name: string;
  readonly held: boolean;
  readonly seen: string;
}

/** What a fault scenario measured: its figures (for docs/reliability.md) and its invariants (for CI). */
export interface ScenarioResult {
  /** The plan's id, e.g. `FLT-1`. */
  readonly id: string;
  readonly title: string;
  /** The load and fault, in a sentence. */
  readonly setup: string;
  /** Figure name → value, in order. */
  readonly figures: readonly (readonly [string, string])[];
  /** What CI asserts (the short form): what must hold however busy the machine is — 0 lost, only the documented codes. */
  readonly invariants: readonly Invariant[];
  /** Timing pass criteria of the plan (e.g. recovery ≤ 1 s): measured and reported by the full form, never asserted in CI. */
  readonly criteria?: readonly Invariant[];
}

/** An invariant that holds when `held` is true. */
export function invariant(name: string, held: boolean, seen: string): Invariant {
  return { name, held, seen };
}

/** The invariants of the results that did not hold, as `FLT-1: 0 failed requests (seen: …)`. */
export function brokenInvariants(results: readonly ScenarioResult[]): string[] {
  return results.flatMap((r) => r.invariants.filter((i) => !i.held).map((i) => `${r.id}: ${i.name} (seen: ${i.seen})`));
}

/** The timing criteria of the results that were missed, in the same form. */
export function missedCriteria(results: readonly ScenarioResult[]): string[] {
  return results.flatMap((r) => (r.criteria ?? []).filter((i) => !i.held).map((i) => `${r.id}: ${i.name} (seen: ${i.seen})`));
}

/** Milliseconds as `1,234 ms`. */
export function ms(value: number | undefined): string {
  return value === undefined ? "—" : `${(Math.round(value) || 0).toLocaleString("en-US")} ms`;
}
