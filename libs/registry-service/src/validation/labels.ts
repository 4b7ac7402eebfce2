import type { Violations } from "@modelrouter/errors";
import { MAX_LABELS, labelKeyProblem, labelValueProblem, quoted } from "@modelrouter/syntax";
import { checkCount } from "./bounds.js";

/**
 * Checks labels: at most {@link MAX_LABELS} of them (reported at `field`), each key and value in Kubernetes
 * label syntax (the rules of `@modelrouter/syntax`), each problem reported at `field["key"]`. Only the first
 * {@link MAX_LABELS} entries are checked one by one.
 */
export function checkLabels(v: Violations, field: string, labels: Readonly<Record<string, string>>): void {
  const entries = checkCount(
    v,
    field,
    Object.entries(labels),
    MAX_LABELS,
    "labels",
    "keep the ones policies select on, and put the rest in the description",
  );
  for (const [key, value] of entries) {
    const at = `${field}[${quoted(key)}]`;
    const keyProblem = labelKeyProblem(key);
    if (keyProblem !== undefined) v.add(at, keyProblem);
    const valueProblem = labelValueProblem(value);
    if (valueProblem !== undefined) v.add(at, valueProblem);
  }
}
