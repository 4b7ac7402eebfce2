import type { Activation } from "./cel-values.js";
import { parseChecked } from "./compiled-condition.js";
import { estimateCost } from "./cost-estimate.js";
import { inspectExpression } from "./expression-inspection.js";
import type { PolicyEnvironment } from "./policy-environment.js";
import type { CompileReport } from "./policy-violation.js";
import { excerptAt, positionAt } from "./source-position.js";

/** A bandit's feature: a CEL expression over `input` and `request` of type double, int or bool. */
export interface CompiledFeature {
  /** The expression as written. */
  readonly source: string;
  /** The estimated cost of one evaluation, in cost units (a sound upper bound, like a condition's). */
  readonly cost: number;
  /** The feature's value for one request: a bool is 1 or 0; a run-time error, or a value that is not finite, is 0. */
  value(activation: Activation): number;
}

/** The most features one bandit may declare. */
export const MAX_BANDIT_FEATURES = 16;

const FEATURE_TYPES = new Set(["double", "int", "bool"]);

function numeric(value: unknown): number {
  if (value === true) return 1;
  if (value === false) return 0;
  const number = typeof value === "bigint" ? Number(value) : typeof value === "number" ? value : Number.NaN;
  return Number.isFinite(number) ? number : 0;
}

/**
 * Parses, type-checks and cost-estimates one feature in the policy language, reporting every problem on
 * `field` (a syntax or type error with its position, a type other than double, int or bool, a construct the
 * cost model cannot price, a cost over `maxExpressionCost`). Returns undefined when there is one.
 */
export function compileFeature(
  source: string,
  field: string,
  environment: PolicyEnvironment,
  report: CompileReport,
): CompiledFeature | undefined {
  if (source.trim() === "") {
    report.violation(field, "is empty: write a number or bool over `input` or `request`, such as `input.image.width <= 16`");
    return undefined;
  }
  const checked = parseChecked(source, field, report, {
    parse: (text) => environment.cel.parse(text),
    maxLength: environment.limits.maxExpressionLength,
  });
  if (checked === undefined) return undefined;
  const { parsed, type } = checked;
  if (type === undefined || !FEATURE_TYPES.has(type)) {
    report.violation(
      field,
      `has type ${type ?? "unknown"}, but a feature must be a double, an int or a bool: for example ` +
        '`input.image.width <= 16` or `request.metadata["image_type"] == "lowres_scan"`',
    );
    return undefined;
  }
  const problems = [...inspectExpression(parsed.ast).problems];
  const estimate = estimateCost(parsed.ast);
  problems.push(...estimate.problems);
  for (const problem of problems) {
    report.violation(
      field,
      `${problem.description} (${excerptAt(source, problem.start, problem.end)})`,
      positionAt(source, problem.start),
    );
  }
  if (problems.length > 0) return undefined;
  if (estimate.cost > environment.limits.maxExpressionCost) {
    report.violation(
      field,
      `is estimated to cost up to ${Math.ceil(estimate.cost)} units per evaluation, over the budget of ` +
        `${environment.limits.maxExpressionCost} for one expression: simplify it`,
    );
    return undefined;
  }
  return {
    source,
    cost: estimate.cost,
    value(activation) {
      try {
        return numeric(parsed(activation));
      } catch {
        return 0;
      }
    },
  };
}
