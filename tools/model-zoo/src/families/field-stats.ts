import type { LabelledPayload } from "../data/payload.js";

/** Mean and (population) standard deviation of a numeric field over the records of `items`, nulls skipped. */
export function fieldStats(items: readonly LabelledPayload[], field: string): { mean: number; std: number } {
  const values: number[] = [];
  for (const { payload } of items) {
    const value = "json" in payload ? (payload.json as Record<string, unknown>)[field] : undefined;
    if (typeof value === "number") values.push(value);
  }
  if (values.length === 0) throw new Error(`no record has a numeric ${field}`);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
  const round = (v: number): number => Number(v.toPrecision(6));
  return { mean: round(mean), std: round(std) };
}
