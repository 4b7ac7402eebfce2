const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The path of a record's field under `base`, for messages: `payload.json.mean_radius`, or
 * `payload.json["body mass (g)"]` when the name is not an identifier.
 */
export function fieldPath(base: string, name: string): string {
  return identifier.test(name) ? `${base}.${name}` : `${base}[${JSON.stringify(name)}]`;
}

/** Describes a JSON value for messages: `the string "12.5"`, `null`, `an object`, `a list`. */
export function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case "number":
    case "boolean":
      return `the ${typeof value} ${String(value)}`;
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

/** The largest magnitude of a number a record or series may hold: far beyond any measurement, far from overflow. */
export const MAX_NUMBER_MAGNITUDE = 1e30;

/** Whether `value` is a number pre-processing takes: finite, of magnitude at most {@link MAX_NUMBER_MAGNITUDE}. */
export function isUsableNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= MAX_NUMBER_MAGNITUDE;
}
