import { create } from "@bufbuild/protobuf";
import { type FieldProfile, FieldProfileSchema, type TabularProfile, TabularProfileSchema } from "@modelrouter/contracts";
import { ANALYZER_LIMITS } from "../limits.js";

/** The JSON type of one value, as a FieldProfile names it. */
export type JsonType = "number" | "string" | "bool" | "object" | "array" | "null";

interface FieldStats {
  /** The type of every non-null value so far; "mixed" once two differ; undefined while only nulls were seen. */
  type: JsonType | "mixed" | undefined;
  present: number;
  min: number;
  max: number;
  mean: number;
  /** Fewest and most elements of the array values so far (arrays only). */
  minLength: number;
  maxLength: number;
}

/**
 * Accumulates per-field statistics over JSON rows in one pass: the type of the non-null values (or "mixed",
 * or "null" when every value is null), how many rows have a non-null value, min/max/mean of numbers, and the
 * fewest and most elements of arrays (so that a sensor record's `"samples": [...]` is told from a plain row).
 * The mean is updated incrementally so that it cannot overflow where the values do not, and kept within
 * [min, max] against rounding.
 */
export class TabularBuilder {
  readonly #fields = new Map<string, FieldStats>();
  #rows = 0;

  /** Counts one more row. */
  addRow(): void {
    this.#rows++;
  }

  /**
   * Records one field of the current row; `value` is its number for type "number" (finite), its element count
   * for type "array", and ignored otherwise. Returns false, recording nothing, when the field is new and the
   * field limit is reached.
   */
  addField(name: string, type: JsonType, value: number): boolean {
    let stats = this.#fields.get(name);
    if (stats === undefined) {
      if (this.#fields.size >= ANALYZER_LIMITS.maxFields) return false;
      stats = { type: undefined, present: 0, min: 0, max: 0, mean: 0, minLength: Infinity, maxLength: 0 };
      this.#fields.set(name, stats);
    }
    if (type === "null") return true;
    stats.type = stats.type === undefined || stats.type === type ? type : "mixed";
    stats.present++;
    if (type === "array") {
      stats.minLength = Math.min(stats.minLength, value);
      stats.maxLength = Math.max(stats.maxLength, value);
    } else if (type === "number") {
      const n = stats.present;
      if (n === 1) {
        stats.min = value;
        stats.max = value;
      } else {
        if (value < stats.min) stats.min = value;
        if (value > stats.max) stats.max = value;
      }
      stats.mean = stats.mean + (value / n - stats.mean / n);
    }
    return true;
  }

  /**
   * The profile of the rows so far. Numeric statistics are set only for fields whose type is "number", lengths
   * only for fields whose type is "array".
   */
  build(): TabularProfile {
    const fields: Record<string, FieldProfile> = {};
    for (const [name, stats] of this.#fields) {
      // defineProperty, not assignment: a field may be named "__proto__".
      Object.defineProperty(fields, name, {
        value: fieldProfile(stats),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return create(TabularProfileSchema, { rowCount: this.#rows, fields });
  }
}

function fieldProfile(stats: FieldStats): FieldProfile {
  const numeric = stats.type === "number";
  const array = stats.type === "array";
  return create(FieldProfileSchema, {
    type: stats.type ?? "null",
    presentCount: stats.present,
    min: numeric ? stats.min : 0,
    max: numeric ? stats.max : 0,
    mean: numeric ? Math.min(stats.max, Math.max(stats.min, stats.mean)) : 0,
    minLength: array ? Math.min(stats.minLength, 0xffff_ffff) : 0,
    maxLength: array ? Math.min(stats.maxLength, 0xffff_ffff) : 0,
  });
}
