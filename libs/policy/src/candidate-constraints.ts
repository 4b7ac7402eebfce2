import type { CandidateValue } from "./candidate-values.js";
import { type CompiledCondition, compileCondition } from "./compiled-condition.js";
import type { PolicyEnvironment } from "./policy-environment.js";
import type { CompileReport } from "./policy-violation.js";

/** One constraint of a route: a bool CEL expression over `candidate`, and where it is in the policy. */
export interface CompiledConstraint {
  /** Its path, for example "rules[0].route.constraints[1]". */
  readonly field: string;
  readonly condition: CompiledCondition;
}

/**
 * Parses, type-checks and cost-estimates a route's constraints in the constraint language (the one variable
 * `candidate`), reporting each problem on `<path>.constraints[i]` like any other expression. Returns the
 * constraints that compiled.
 */
export function compileConstraints(
  sources: readonly string[],
  path: string,
  environment: PolicyEnvironment,
  report: CompileReport,
): CompiledConstraint[] {
  const language = { cel: environment.constraints, constraints: environment.constraints, limits: environment.limits };
  return sources.flatMap((source, index) => {
    const field = `${path}.constraints[${index}]`;
    if (source.trim() === "") {
      report.violation(field, "is empty: write a condition over `candidate`, such as `candidate.metrics.accuracy >= 0.9`");
      return [];
    }
    const condition = compileCondition(source, field, language, report);
    return condition === undefined ? [] : [{ field, condition }];
  });
}

/** The first constraint a candidate failed: the reason for the explanation, and the clause as written. */
export interface ConstraintFailure {
  /** "fails <field> `<expression>`", with the run-time error when it raised one. */
  readonly reason: string;
  /** The constraint as written in the policy. */
  readonly clause: string;
}

/** The first constraint the candidate fails; undefined when it passes them all. */
export function failedConstraint(
  constraints: readonly CompiledConstraint[],
  candidate: CandidateValue,
): ConstraintFailure | undefined {
  for (const { field, condition } of constraints) {
    const outcome = condition.evaluate({ candidate });
    if (outcome === true) continue;
    const error = outcome === false ? "" : ` (it failed: ${outcome.error})`;
    return { reason: `fails ${field} \`${condition.source}\`${error}`, clause: condition.source };
  }
  return undefined;
}
