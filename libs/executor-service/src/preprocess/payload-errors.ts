import { type DomainError, type FieldViolation, invalidFields } from "@modelrouter/errors";

/** The most problems of one payload reported one by one; the rest are counted in one more violation. */
export const MAX_REPORTED_PROBLEMS = 10;

/** An INVALID_FIELD error for a payload that does not fit a model's pre-processing, listing at most 10 problems. */
export function payloadRefused(summary: string, problems: readonly FieldViolation[]): DomainError {
  const shown = problems.slice(0, MAX_REPORTED_PROBLEMS);
  const more = problems.length - shown.length;
  const last = shown[shown.length - 1];
  const listed =
    more > 0 && last !== undefined
      ? [...shown, { field: last.field, description: `and ${more} more problem${more === 1 ? "" : "s"} like these` }]
      : shown;
  return invalidFields(summary, listed);
}
