import { clone } from "@bufbuild/protobuf";
import { PolicySchema, type LabelSelector, type Policy, type Route } from "@modelrouter/contracts";
import type { Violations } from "@modelrouter/errors";
import { POLICY_LIMITS } from "@modelrouter/policy";
import { MAX_LABELS } from "@modelrouter/syntax";
import { checkCount, checkLength } from "./bounds.js";
import { checkEncodedSize } from "./encoded-size.js";
import { MAX_DESCRIPTION_LENGTH, MAX_POLICY_BYTES, MAX_SELECTOR_VALUES } from "./limits.js";

/**
 * Checks what a policy may hold before it is compiled, recording every problem under `path` (`policy`): at
 * most {@link MAX_POLICY_BYTES} encoded (without its output-only fields), a description
 * of at most {@link MAX_DESCRIPTION_LENGTH} characters, and label selectors of at most `MAX_LABELS`
 * `match_labels` and `match_expressions` and {@link MAX_SELECTOR_VALUES} values per expression. The
 * compiler checks the rest (names, rules, expressions, routes and their own limits).
 */
export function checkPolicyBounds(v: Violations, path: string, policy: Policy): void {
  const body = clone(PolicySchema, policy);
  body.revision = 0n;
  body.createTime = undefined;
  body.updateTime = undefined;
  checkEncodedSize(v, path, PolicySchema, body, MAX_POLICY_BYTES, "policy");
  checkLength(v, `${path}.description`, policy.description, MAX_DESCRIPTION_LENGTH);
  policy.rules.slice(0, POLICY_LIMITS.maxRules).forEach((rule, i) => checkRoute(v, `${path}.rules[${i}].route`, rule.route));
  checkRoute(v, `${path}.default_route`, policy.defaultRoute);
}

function checkRoute(v: Violations, path: string, route: Route | undefined): void {
  if (route === undefined) return;
  for (const [list, targets] of [["targets", route.targets], ["fallbacks", route.fallbacks]] as const) {
    targets.slice(0, POLICY_LIMITS.maxRouteTargets).forEach((target, i) => {
      if (target.kind.case === "selector") checkSelector(v, `${path}.${list}[${i}].selector`, target.kind.value);
    });
  }
}

function checkSelector(v: Violations, path: string, selector: LabelSelector): void {
  checkCount(v, `${path}.match_labels`, Object.keys(selector.matchLabels), MAX_LABELS, "labels");
  const expressions = checkCount(v, `${path}.match_expressions`, selector.matchExpressions, MAX_LABELS, "expressions");
  expressions.forEach((expression, i) => {
    checkCount(v, `${path}.match_expressions[${i}].values`, expression.values, MAX_SELECTOR_VALUES, "values");
  });
}
