import type { Violations } from "@modelrouter/errors";
import { MAX_REPORTED_PER_LIST } from "./limits.js";

/** Records a text longer than `max` characters at `field`. */
export function checkLength(v: Violations, field: string, value: string, max: number): void {
  if (value.length > max) v.add(field, `is ${value.length} characters long: keep it to at most ${max}`);
}

/**
 * Records a list of more than `max` items at `field` ("has 110000 labels; at most 64 are allowed") and
 * returns the items worth checking one by one: the first `max`, so that the work and the number of
 * violations stay bounded whatever the request holds.
 */
export function checkCount<T>(
  v: Violations,
  field: string,
  items: readonly T[],
  max: number,
  noun: string,
  hint?: string,
): readonly T[] {
  if (items.length <= max) return items;
  v.add(field, `has ${items.length} ${noun}; at most ${max} are allowed${hint === undefined ? "" : `: ${hint}`}`);
  return items.slice(0, max);
}

/**
 * Collects the problems of one list's items, reporting the first {@link MAX_REPORTED_PER_LIST} each at its
 * own path and the rest as one violation at the list's path ("and 4086 more items have problems like these").
 * Call {@link ItemReport.done} after the last item.
 */
export class ItemReport {
  #count = 0;

  constructor(
    private readonly v: Violations,
    private readonly field: string,
  ) {}

  add(field: string, description: string): void {
    this.#count++;
    if (this.#count <= MAX_REPORTED_PER_LIST) this.v.add(field, description);
  }

  done(): void {
    const more = this.#count - MAX_REPORTED_PER_LIST;
    if (more > 0) this.v.add(this.field, `and ${more} more items have problems like the ones above: fix them the same way`);
  }
}
