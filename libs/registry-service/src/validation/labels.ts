import type { Violations } from "@modelrouter/errors";
import { clip } from "./names.js";

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Checks labels against Kubernetes label syntax. A key is an optional DNS-subdomain prefix (at most 253
 * characters) and '/', then a name of at most 63 letters, digits, '-', '_' and '.', starting and ending with a
 * letter or digit. A value is empty or follows the name rule. Each problem is reported at `field["key"]`.
 */
export function checkLabels(v: Violations, field: string, labels: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(labels)) {
    const at = `${field}[${JSON.stringify(clip(key))}]`;
    const keyProblem = labelKeyProblem(key);
    if (keyProblem !== undefined) v.add(at, keyProblem);
    if (value !== "" && (value.length > 63 || !LABEL_NAME.test(value))) {
      v.add(
        at,
        `value "${clip(value)}" is not a valid label value: use at most 63 letters, digits, '-', '_' and '.', ` +
          `starting and ending with a letter or digit (or leave it empty)`,
      );
    }
  }
}

function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `key prefix "${clip(prefix)}" is not a DNS subdomain: use lower-case letters, digits, '-' and '.', at most 253 characters, for example "example.com/tier"`;
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return `key "${clip(key)}" is not a valid label key: use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, optionally after a prefix and '/', for example "domain" or "example.com/tier"`;
  }
  return undefined;
}
