import { quoted } from "./text.js";

/** A model, policy or rule name: 1 to 63 lower-case letters, digits and '-', starting with a letter, not ending with '-'. */
export const RESOURCE_NAME = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A model version: 1 to 63 letters, digits, '.', '_' and '-', starting with a letter or digit. */
export const MODEL_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * What is wrong with a model, policy or rule name, or undefined when it is valid. `what` names the thing
 * ("model", "policy", "rule") and `example` shows a valid name in the message.
 */
export function resourceNameProblem(name: string, what: string, example = "digits-general"): string | undefined {
  if (name === "") {
    return `is required: give the ${what}'s name, lower-case letters, digits and '-', for example "${example}"`;
  }
  if (RESOURCE_NAME.test(name)) return undefined;
  return (
    `${quoted(name)} is not a valid ${what} name: use 1 to 63 lower-case letters, digits and '-', starting with ` +
    `a letter and not ending with '-', for example "${example}"`
  );
}

/** What is wrong with a model version, or undefined when it is valid. Empty is a problem: callers decide whether a version is optional. */
export function versionProblem(version: string): string | undefined {
  if (version === "") return `is required: letters, digits, '.', '_' and '-', for example "1" or "2024-06-01"`;
  if (MODEL_VERSION.test(version)) return undefined;
  return (
    `${quoted(version)} is not a valid version: use 1 to 63 letters, digits, '.', '_' and '-', starting with a ` +
    `letter or digit, for example "1" or "2024-06-01"`
  );
}
