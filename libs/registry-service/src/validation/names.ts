import type { Violations } from "@modelrouter/errors";
import { resourceNameProblem, versionProblem } from "@modelrouter/syntax";

/**
 * Checks a required model, policy or rule name (the rule of `@modelrouter/syntax`) and records what is wrong
 * with it at `field`. `what` names the thing in the message ("model", "policy"), `example` shows a valid name.
 */
export function checkName(v: Violations, field: string, value: string, example: string, what = "resource"): void {
  const problem = resourceNameProblem(value, what, example);
  if (problem !== undefined) v.add(field, problem);
}

/** Checks an optional name: empty means "none", anything else must be a valid name. */
export function checkOptionalName(v: Violations, field: string, value: string, example: string, what: string): void {
  if (value !== "") checkName(v, field, value, example, what);
}

/**
 * Checks a model version (the rule of `@modelrouter/syntax`); `required` says whether empty is an error
 * (else empty means "none given").
 */
export function checkVersion(v: Violations, field: string, value: string, required: boolean): void {
  if (value === "" && !required) return;
  const problem = versionProblem(value);
  if (problem !== undefined) v.add(field, problem);
}
