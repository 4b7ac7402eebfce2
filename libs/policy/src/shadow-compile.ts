import type { Shadow } from "@modelrouter/contracts";
import { resourceNameProblem, versionProblem } from "@modelrouter/syntax";
import type { CompileReport } from "./policy-violation.js";

/** The most shadows one route may mirror requests to: each multiplies the route's executor load. */
export const MAX_ROUTE_SHADOWS = 4;

/** A route's shadow, checked: the model (and version) mirrored to, and the share of requests mirrored. */
export interface CompiledShadow {
  readonly name: string;
  /** Empty: the model's latest ACTIVE or DEPRECATED version, as for targets. */
  readonly version: string;
  /** The share of the route's requests mirrored, in (0, 1]. */
  readonly share: number;
  /** Its path in the policy, for example "rules[0].route.shadows[1]". */
  readonly source: string;
}

function shareProblem(share: number): string | undefined {
  if (Number.isNaN(share)) return "is not a number: give the share of requests to mirror, in (0, 1], or omit it for all";
  if (share <= 0) return `is ${share}: a share must be above 0 (omit the shadow to mirror nothing)`;
  if (share > 1) return `is ${share}: a share is at most 1 (every request); write 0.25 for a quarter`;
  return undefined;
}

/**
 * Checks a route's shadows and compiles them: each names a model (`model.name`, optionally `model.version`),
 * its `share` is in (0, 1] (absent: 1), no model is shadowed twice or is also one of the route's targets or
 * fallbacks (`namedAt`: model name → where the route names it, e.g. "targets[0]"), and at most
 * {@link MAX_ROUTE_SHADOWS} are listed. Problems are reported under `path` ("rules[0].route").
 */
export function compileShadows(
  shadows: readonly Shadow[],
  path: string,
  namedAt: ReadonlyMap<string, string>,
  report: CompileReport,
): CompiledShadow[] {
  if (shadows.length > MAX_ROUTE_SHADOWS) {
    report.violation(
      `${path}.shadows`,
      `lists ${shadows.length} shadows; at most ${MAX_ROUTE_SHADOWS} are allowed (each one adds a model run per ` +
        "request): keep the ones you are comparing now",
    );
  }
  const shadowAt = new Map<string, string>();
  return shadows.flatMap((shadow, index): CompiledShadow[] => {
    const at = `${path}.shadows[${index}]`;
    const model = shadow.model;
    if (model === undefined) {
      report.violation(`${at}.model`, "is required: name the model to mirror requests to (`model: {name: \"digits-lite\"}`)");
      return [];
    }
    let valid = true;
    const nameProblem = resourceNameProblem(model.name, "model");
    if (nameProblem !== undefined) {
      report.violation(`${at}.model.name`, nameProblem);
      valid = false;
    }
    if (model.version !== "") {
      const problem = versionProblem(model.version);
      if (problem !== undefined) {
        report.violation(`${at}.model.version`, problem);
        valid = false;
      }
    }
    const share = shadow.share ?? 1;
    const problem = shareProblem(share);
    if (problem !== undefined) {
      report.violation(`${at}.share`, problem);
      valid = false;
    }
    if (nameProblem === undefined) {
      const asRoute = namedAt.get(model.name);
      if (asRoute !== undefined) {
        report.violation(
          `${at}.model.name`,
          `names model "${model.name}", which is also the route's ${asRoute}: a shadow's answer is never ` +
            "returned, so it must be another model; remove the shadow or that target",
        );
        valid = false;
      }
      const first = shadowAt.get(model.name);
      if (first !== undefined) {
        report.violation(
          `${at}.model.name`,
          `shadows model "${model.name}" again (already at shadows[${first}]): list each shadow once`,
        );
        valid = false;
      } else shadowAt.set(model.name, String(index));
    }
    return valid ? [{ name: model.name, version: model.version, share, source: at }] : [];
  });
}
