import type { Violations } from "@modelrouter/errors";

/** A model or policy name: lower-case letters, digits and '-', 1 to 63 characters, starting with a letter. */
export const RESOURCE_NAME = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A model version: letters, digits, '.', '_' and '-', 1 to 63 characters, starting with a letter or digit. */
export const MODEL_VERSION = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,62})$/;

/** Checks a required resource name (model or policy) and records what is wrong with it. */
export function checkName(v: Violations, field: string, value: string, example: string): void {
  if (value === "") v.add(field, `is required: lower-case letters, digits and '-', for example "${example}"`);
  else if (!RESOURCE_NAME.test(value)) {
    v.add(
      field,
      `"${clip(value)}" is not a valid name: use 1 to 63 lower-case letters, digits and '-', starting with a ` +
        `letter and not ending with '-', for example "${example}"`,
    );
  }
}

/** Checks a model version; `required` says whether empty is an error (else empty means "none given"). */
export function checkVersion(v: Violations, field: string, value: string, required: boolean): void {
  if (value === "") {
    if (required) v.add(field, `is required: letters, digits, '.', '_' and '-', for example "1" or "2024-06-01"`);
  } else if (!MODEL_VERSION.test(value)) {
    v.add(
      field,
      `"${clip(value)}" is not a valid version: use 1 to 63 letters, digits, '.', '_' and '-', starting with a ` +
        `letter or digit, for example "1" or "2024-06-01"`,
    );
  }
}

/** A value shortened for an error message. */
export function clip(value: string, max = 64): string {
  return value.length <= max ? value : `${value.slice(0, max)}…`;
}
