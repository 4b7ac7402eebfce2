const resourceName = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const versionSyntax = /^[A-Za-z0-9._-]{1,63}$/;
const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * What is wrong with a policy, rule or model name (`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`), or undefined when
 * it is valid. `what` names the thing for the message: "policy", "rule" or "model".
 */
export function resourceNameProblem(name: string, what: string): string | undefined {
  if (name === "") {
    return `is required: give the name of the ${what} (lower-case letters, digits and '-', for example "digits-routing")`;
  }
  if (resourceName.test(name)) return undefined;
  return (
    `${JSON.stringify(truncate(name))} is not a valid name: use 1 to 63 lower-case letters, digits and '-', ` +
    `starting with a letter and not ending with '-'`
  );
}

/** What is wrong with a model version (letters, digits, '.', '_' and '-', 1 to 63 characters), or undefined. */
export function versionProblem(version: string): string | undefined {
  if (versionSyntax.test(version)) return undefined;
  return (
    `${JSON.stringify(truncate(version))} is not a valid version: use 1 to 63 letters, digits, '.', '_' and '-', ` +
    `for example "1" or "2024-06-01"`
  );
}

/**
 * What is wrong with a Kubernetes label key (an optional DNS-subdomain prefix and '/', then a name of at most
 * 63 alphanumerics, '-', '_' and '.', starting and ending alphanumeric), or undefined when it is valid.
 */
export function labelKeyProblem(key: string): string | undefined {
  if (key === "") return "is empty: a label key is required, for example \"domain\" or \"example.com/tier\"";
  const slash = key.indexOf("/");
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  const shown = JSON.stringify(truncate(key));
  if (prefix !== undefined && (prefix.length > 253 || !dnsSubdomain.test(prefix))) {
    return `${shown} has an invalid prefix: before '/' use a lower-case DNS subdomain of at most 253 characters`;
  }
  if (name.length > 63 || !labelName.test(name)) {
    return (
      `${shown} is not a valid label key: the name (after an optional "prefix/") has 1 to 63 letters, digits, ` +
      `'-', '_' and '.', and starts and ends with a letter or digit`
    );
  }
  return undefined;
}

/** What is wrong with a Kubernetes label value (empty, or at most 63 characters like a key name), or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length <= 63 && labelValue.test(value)) return undefined;
  return (
    `${JSON.stringify(truncate(value))} is not a valid label value: use at most 63 letters, digits, '-', '_' ` +
    `and '.', starting and ending with a letter or digit (or the empty value)`
  );
}

/** Shortens a string for a message, so that a huge value does not produce a huge error. */
export function truncate(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
