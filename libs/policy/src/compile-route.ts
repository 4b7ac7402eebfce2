import type { Route, Target } from "@modelrouter/contracts";
import { resourceNameProblem, versionProblem } from "@modelrouter/syntax";
import type { CompiledRoute, CompiledTarget } from "./compiled-policy.js";
import { compileLabelSelector } from "./label-selector.js";
import { compileStrategy } from "./compile-strategy.js";
import type { PolicyEnvironment } from "./policy-environment.js";
import type { CompileReport } from "./policy-violation.js";
import { compileShadows } from "./shadow-compile.js";
import { compileExperiment } from "./experiment-compile.js";
import { compileGuard } from "./guard-compile.js";

function compileTarget(target: Target | undefined, path: string, report: CompileReport): CompiledTarget | undefined {
  const kind = target?.kind;
  switch (kind?.case) {
    case "model": {
      const { name, version } = kind.value;
      const nameProblem = resourceNameProblem(name ?? "", "model");
      if (nameProblem !== undefined) report.violation(`${path}.model.name`, nameProblem);
      if (version !== undefined && version !== "") {
        const problem = versionProblem(version);
        if (problem !== undefined) report.violation(`${path}.model.version`, problem);
      }
      return { kind: "model", name: name ?? "", version: version ?? "", source: path };
    }
    case "selector": {
      const selector = compileLabelSelector(kind.value, `${path}.selector`, report);
      if (selector.selectsAll) {
        report.warning(
          `${path}.selector`,
          "has no labels or expressions, so it selects every model (of the input's modality); add match_labels",
        );
      }
      return { kind: "selector", selector, source: path };
    }
    default:
      report.violation(
        path,
        "has no kind: set `model` (a model name, optionally with a version) or `selector` (models by label)",
      );
      return undefined;
  }
}

/**
 * Checks a route (targets required; at most `maxRouteTargets` targets and fallbacks; each target's kind,
 * names, versions and selectors; the strategy and its settings (see `compileStrategy`); no model named twice across targets and fallbacks, the
 * rule that makes fallback cycles impossible) and compiles it. Problems are reported under `path`.
 */
export function compileRoute(
  route: Route,
  path: string,
  report: CompileReport,
  environment: PolicyEnvironment,
): CompiledRoute {
  const limits = environment.limits;
  const targetList = route.targets ?? [];
  const fallbackList = route.fallbacks ?? [];
  if (targetList.length === 0) {
    report.violation(
      `${path}.targets`,
      "is required: list at least one target, a model (`model: {name: \"digits-general\"}`) or a label selector",
    );
  }
  const total = targetList.length + fallbackList.length;
  if (total > limits.maxRouteTargets) {
    report.violation(
      targetList.length > limits.maxRouteTargets ? `${path}.targets` : `${path}.fallbacks`,
      `a route has ${total} targets and fallbacks; at most ${limits.maxRouteTargets} are allowed together. ` +
        "Select models by label instead of listing them",
    );
  }
  const strategy = compileStrategy(route, path, environment, report);
  const namedAt = new Map<string, string>();
  const selectorAt = new Map<string, string>();
  const compileList = (list: readonly Target[], listName: "targets" | "fallbacks"): CompiledTarget[] =>
    list.flatMap((target, index) => {
      const relative = `${listName}[${index}]`;
      const compiled = compileTarget(target, `${path}.${relative}`, report);
      if (compiled === undefined) return [];
      if (compiled.kind === "model" && compiled.name !== "") {
        const first = namedAt.get(compiled.name);
        if (first === undefined) namedAt.set(compiled.name, relative);
        else {
          report.violation(
            `${path}.${relative}.model.name`,
            `names model "${compiled.name}" again (already at ${first}): a model is tried at most once per ` +
              "request, so name each model once in a route's targets and fallbacks",
          );
        }
      }
      if (compiled.kind === "selector") {
        const first = selectorAt.get(compiled.selector.text);
        if (first === undefined) selectorAt.set(compiled.selector.text, relative);
        else report.warning(`${path}.${relative}.selector`, `selects the same models as ${first}; remove one`);
      }
      return [compiled];
    });
  const targets = compileList(targetList, "targets");
  const fallbacks = compileList(fallbackList, "fallbacks");
  const shadows = compileShadows(route.shadows ?? [], path, namedAt, report);
  const experiment = compileExperiment(route, path, report);
  const guard = compileGuard(route.guard, path, report);
  return {
    path,
    targets,
    strategy,
    fallbacks,
    ...(shadows.length === 0 ? {} : { shadows }),
    ...(experiment === undefined ? {} : { experiment }),
    ...(guard === undefined ? {} : { guard }),
  };
}
