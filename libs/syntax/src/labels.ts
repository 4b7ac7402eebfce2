import { quoted } from "./text.js";

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The most labels a model may carry, and the most keys a label selector may name. */
export const MAX_LABELS = 64;

/**
 * What is wrong with a label key (Kubernetes syntax: an optional DNS-subdomain prefix of at most 253
 * characters and '/', then a name of 1 to 63 letters, digits, '-', '_' and '.', starting and ending with a
 * letter or digit), or undefined when it is valid.
 */
export function labelKeyProblem(key: string): string | undefined {
  if (key === "") return `is empty: a label key is required, for example "domain" or "example.com/tier"`;
  const slash = key.indexOf("/");
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return (
      `key ${quoted(key)} has an invalid prefix: before '/' use a lower-case DNS subdomain of at most 253 ` +
      `characters, for example "example.com/tier"`
    );
  }
  if (name.length > 63 || !LABEL_NAME.test(name)) {
    return (
      `key ${quoted(key)} is not a valid label key: the name (after an optional "prefix/") has 1 to 63 letters, ` +
      `digits, '-', '_' and '.', and starts and ends with a letter or digit, for example "domain"`
    );
  }
  return undefined;
}

/** What is wrong with a label value (empty, or 1 to 63 characters like a key's name), or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === "" || (value.length <= 63 && LABEL_NAME.test(value))) return undefined;
  return (
    `value ${quoted(value)} is not a valid label value: use at most 63 letters, digits, '-', '_' and '.', ` +
    `starting and ending with a letter or digit (or the empty value)`
  );
}
