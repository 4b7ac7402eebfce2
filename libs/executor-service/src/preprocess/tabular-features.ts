import type { FieldViolation } from "@modelrouter/errors";
import { describeJson, fieldPath, isUsableNumber } from "./json-values.js";
import { payloadRefused } from "./payload-errors.js";
import { type TabularFeatureSpec, type TabularSpec, tabularWidth } from "@modelrouter/syntax";

/**
 * The feature vector of one record (length {@link tabularWidth}), as `TabularPreprocessing` defines it: each
 * feature in the declared order, a number as (value − mean) / std, a boolean as 0 or 1, a category one-hot over
 * its declared categories (an undeclared value sets no column). An absent or null field is refused, or becomes
 * the feature's mean (for a boolean, its declared `mean`; for a category, no column) or zero (before
 * standardisation), as the feature's missing rule says. Fields the model does not declare are ignored.
 *
 * @param record a parsed JSON value: an object, or a list holding exactly one object.
 * @param field where the record is in the request, for errors. Default `payload.json`.
 * @throws DomainError INVALID_FIELD naming each bad field (`payload.json.mean_radius`, or
 *   `payload.json[0].mean_radius` for a record in a list), what it is and what the model expects.
 */
export function tabularFeatures(record: unknown, spec: TabularSpec, field = "payload.json"): Float32Array {
  const { row, base } = theRecord(record, field);
  const out = new Float32Array(tabularWidth(spec));
  const problems: FieldViolation[] = [];
  let column = 0;
  for (const feature of spec.features) {
    const value = Object.hasOwn(row, feature.name) ? row[feature.name] : undefined;
    const problem = writeFeature(feature, value, out, column);
    if (problem !== undefined) problems.push({ field: fieldPath(base, feature.name), description: problem });
    column += feature.type === "category" ? feature.categories.length : 1;
  }
  if (problems.length > 0) throw payloadRefused("the record does not fit the model's features", problems);
  return out;
}

function theRecord(record: unknown, field: string): { row: Record<string, unknown>; base: string } {
  if (isObject(record)) return { row: record, base: field };
  if (Array.isArray(record) && record.length === 1 && isObject(record[0])) return { row: record[0], base: `${field}[0]` };
  const is = Array.isArray(record) ? `a list of ${record.length} item${record.length === 1 ? " that is not an object" : "s"}` : describeJson(record);
  throw payloadRefused("the payload is not one record", [
    { field, description: `is ${is}: send one record, a JSON object of the model's features (or a list holding exactly one)` },
  ]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Writes one feature's columns at `column`; returns what is wrong with the value, if anything. */
function writeFeature(feature: TabularFeatureSpec, value: unknown, out: Float32Array, column: number): string | undefined {
  const expects = expected(feature);
  if (value === undefined || value === null) {
    if (feature.missing === "refuse") return `is ${value === null ? "null" : "missing"}: the model needs ${expects}`;
    if (feature.type === "number") out[column] = feature.missing === "mean" ? 0 : (0 - feature.mean) / feature.std;
    if (feature.type === "boolean") out[column] = feature.missing === "mean" ? feature.mean : 0;
    return undefined;
  }
  switch (feature.type) {
    case "number":
      if (!isUsableNumber(value)) return `is ${describeJson(value)}: the model needs ${expects}`;
      out[column] = (value - feature.mean) / feature.std;
      return undefined;
    case "boolean":
      if (typeof value !== "boolean") return `is ${describeJson(value)}: the model needs ${expects}`;
      out[column] = value ? 1 : 0;
      return undefined;
    case "category": {
      if (typeof value !== "string") return `is ${describeJson(value)}: the model needs ${expects}`;
      const index = feature.categories.indexOf(value);
      if (index >= 0) out[column + index] = 1;
      return undefined;
    }
  }
}

function expected(feature: TabularFeatureSpec): string {
  switch (feature.type) {
    case "number":
      return "a JSON number (not a string) of magnitude at most 1e30";
    case "boolean":
      return "a JSON boolean, true or false";
    case "category": {
      const shown = feature.categories.slice(0, 5).map((c) => JSON.stringify(c)).join(", ");
      return `a string, one of ${shown}${feature.categories.length > 5 ? ", …" : ""}`;
    }
  }
}
