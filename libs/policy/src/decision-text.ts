import type { CompiledPolicy } from "./compiled-policy.js";
import type { RouteChoice } from "./route-choice.js";
import type { RouteResolution } from "./route-resolution.js";

/** "name@version", or just the name when the version is unknown. */
export function modelLabel(name: string, version: string): string {
  return version === "" ? name : `${name}@${version}`;
}

/** `policy "digits" rule "lowres"`, or `policy "digits" default route`. */
export function deciderLabel(policy: CompiledPolicy, rule: string): string {
  return rule === "" ? `policy "${policy.name}" default route` : `policy "${policy.name}" rule "${rule}"`;
}

/** The one-line summary of a decision: `policy "p" rule "r" chose m@1; fallbacks: n@2, o@3`. */
export function decisionSummary(policy: CompiledPolicy, rule: string, choice: RouteChoice): string {
  const target = choice.target;
  if (target === undefined) return `${deciderLabel(policy, rule)} found no servable model`;
  const fallbacks = choice.fallbacks.map((c) => modelLabel(c.name, c.version));
  const tail = fallbacks.length === 0 ? "" : `; fallbacks: ${fallbacks.join(", ")}`;
  return `${deciderLabel(policy, rule)} chose ${modelLabel(target.name, target.version)}${tail}`;
}

/**
 * Why the deciding route has no servable model: every candidate with the reason it was rejected (by the
 * resolution or by a strategy's constraint), and empty selectors.
 */
export function noServableModelMessage(
  policy: CompiledPolicy,
  rule: string,
  resolution: RouteResolution,
  choice: RouteChoice,
): string {
  const parts = choice.outcomes.map(
    ({ candidate: c, reason }) => `${modelLabel(c.name, c.version)} (${c.source}): ${reason}`,
  );
  for (const selector of resolution.emptySelectors) parts.push(`${selector} matches no active or deprecated model`);
  const listed = parts.length === 0 ? "the route has no candidates" : parts.join("; ");
  return `${deciderLabel(policy, rule)} has no servable model: ${listed}`;
}
