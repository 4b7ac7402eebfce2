import { ParseError, TypeError as CelTypeError, type ParseResult } from "@marcbachmann/cel-js";
import type { CandidateValue } from "./candidate-values.js";
import type { Activation } from "./cel-values.js";
import { type CostEstimate, estimateCost } from "./cost-estimate.js";
import { formatCost } from "./cost-text.js";
import { inspectExpression } from "./expression-inspection.js";
import type { PolicyEnvironment } from "./policy-environment.js";
import type { CompileReport } from "./policy-violation.js";
import { excerptAt, positionAt } from "./source-position.js";
import { suggestField, suggestVariable } from "./suggestions.js";

/** The values an expression reads: a request's `input`, `request` and `now`, or a constraint's `candidate`. */
export type ExpressionActivation = Activation | { readonly candidate: CandidateValue };

/** The outcome of one condition for one request: matched, not matched, or failed at run time (not matched). */
export type ConditionOutcome = boolean | { readonly error: string };

/** A `when` expression, parsed and type-checked once, evaluated per request. */
export interface CompiledCondition {
  /** The expression as written. */
  readonly source: string;
  /**
   * For an expression that reads none of `input`, `request` and `now`: its value, computed at compile time.
   * Undefined for an expression that depends on the request.
   */
  readonly constant: ConditionOutcome | undefined;
  /**
   * The estimated cost of one evaluation, in cost units: a sound upper bound of the work `evaluate` does for
   * any request within `REQUEST_BOUNDS` (every branch, every comprehension over the largest collection it
   * can see, every string as long as it can be, every run-time error it can raise; see `estimateCost`).
   * Evaluation needs no run-time limit: an expression over `maxExpressionCost` is refused at compile time.
   */
  readonly cost: number;
  /** Evaluates the expression; a run-time error (for example a missing map key) is returned, not thrown. */
  evaluate(activation: ExpressionActivation): ConditionOutcome;
}

interface CelError {
  readonly code?: string;
  readonly summary?: string;
  readonly range?: { readonly start: number; readonly end: number };
  readonly message: string;
}

function isCelError(error: unknown): error is CelError {
  return error instanceof ParseError || error instanceof CelTypeError || (error instanceof Error && "summary" in error);
}

/** The identifier a field at `start` is selected from: "metrics" in `candidate.metrics.p95`; undefined if none. */
function selectedFrom(source: string, start: number): string | undefined {
  return /([A-Za-z_][A-Za-z_0-9]*)\s*\.?\s*$/.exec(source.slice(0, start))?.[1];
}

function hint(error: CelError, source: string): string {
  const range = error.range;
  const text = range === undefined ? "" : source.slice(range.start, range.end);
  switch (error.code) {
    case "no_such_key":
      return suggestField(text.replace(/^\./, ""), selectedFrom(source, range?.start ?? 0));
    case "unknown_variable":
      return suggestVariable(text);
    case "limit_exceeded":
      return " Simplify the expression or split it into several rules.";
    default:
      return "";
  }
}

function runOutcome(parsed: ParseResult, activation: ExpressionActivation | Record<string, never>, source: string): ConditionOutcome {
  try {
    const value: unknown = parsed(activation);
    if (value === true || value === false) return value;
    return { error: `evaluated to ${typeof value}, not a bool` };
  } catch (error) {
    if (isCelError(error)) {
      const where = error.range === undefined ? "" : ` (${describePosition(source, error.range.start)})`;
      return { error: `${error.summary ?? error.message}${where}` };
    }
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function describePosition(source: string, offset: number): string {
  const position = positionAt(source, offset);
  return `line ${position.line}, column ${position.column}`;
}

function reportOverBudget(source: string, field: string, estimate: CostEstimate, budget: number, report: CompileReport): void {
  const hotspot = estimate.hotspot;
  const causes: string[] = [];
  if (hotspot !== undefined && hotspot.iterations > 1) {
    causes.push(
      `${hotspot.name}() at ${describePosition(source, hotspot.start)} runs its body ` +
        `(${formatCost(hotspot.bodyCost)} units) up to ${formatCost(hotspot.iterations)} times ` +
        `(${excerptAt(source, hotspot.start, hotspot.end)})`,
    );
  }
  if (estimate.errors > 0) {
    causes.push(
      `it may raise up to ${formatCost(estimate.errors)} run-time errors (a missing map key, a failed ` +
        "conversion), each far costlier than a comparison; guard lookups with `\"k\" in m && m[\"k\"] …` or " +
        "`has(m.k) && …`",
    );
  }
  report.violation(
    field,
    `is estimated to cost up to ${formatCost(estimate.cost)} units per evaluation, over the budget of ` +
      `${formatCost(budget)} for one expression${causes.length === 0 ? "" : `: ${causes.join("; ")}`}. ` +
      "Simplify it: in a comprehension, test membership in a map bound once " +
      '(`cel.bind(allowed, {"a": true, "b": true}, xs.all(x, x in allowed))`, one lookup) rather than in a ' +
      "list literal (rebuilt and scanned element by element at every iteration); iterate shorter collections; " +
      "or split the work into several rules or policies",
    hotspot === undefined || hotspot.iterations <= 1 ? undefined : positionAt(source, hotspot.start),
  );
}

/** How {@link parseChecked} parses an expression, and how long one may be. */
export interface ParseOptions {
  /** The CEL environment's parser (the policy language's, with its variables and functions). */
  readonly parse: (source: string) => ParseResult;
  readonly maxLength: number;
  /** Advice appended to the length error, for example "Split it into several rules". */
  readonly lengthAdvice?: string;
}

/**
 * Parses and type-checks one expression of the policy language, reporting on `field` a source over the length
 * limit, or a syntax or type error with its position, its excerpt and, for a misspelt name or field, a suggestion.
 * Returns the parsed expression and its type; undefined when a problem was reported. Never throws.
 */
export function parseChecked(
  source: string,
  field: string,
  report: CompileReport,
  options: ParseOptions,
): { readonly parsed: ParseResult; readonly type: string | undefined } | undefined {
  const limit = options.maxLength;
  if (source.length > limit) {
    const advice = options.lengthAdvice === undefined ? "" : `. ${options.lengthAdvice}`;
    report.violation(field, `is ${source.length} characters long; an expression may have at most ${limit}${advice}`);
    return undefined;
  }
  try {
    const parsed = options.parse(source);
    const checked = parsed.check();
    if (!checked.valid) throw checked.error ?? new Error("the expression does not type-check");
    return { parsed, type: checked.type };
  } catch (error) {
    if (isCelError(error) && error.range !== undefined) {
      const { start, end } = error.range;
      report.violation(
        field,
        `${error.summary ?? error.message} at ${describePosition(source, start)}: ${excerptAt(source, start, end)}.` +
          hint(error, source),
        positionAt(source, start),
      );
    } else {
      const message = isCelError(error) ? (error.summary ?? error.message) : String(error);
      report.violation(field, `could not be compiled: ${message}`);
    }
    return undefined;
  }
}

/**
 * Parses and type-checks one CEL condition of the policy language. Every problem is reported on `field` with
 * its position (syntax and type errors with the checker's message, the excerpt and, for a misspelt name, a
 * suggestion; a result that is not a bool; the size limits; an estimated cost over `maxExpressionCost`);
 * returns undefined when there is one. An expression that reads no variable is evaluated once, here, unless
 * its cost is over `constantBudget` (the policy's remaining budget: then the policy is refused anyway).
 * Never throws.
 */
export function compileCondition(
  source: string,
  field: string,
  environment: PolicyEnvironment,
  report: CompileReport,
  constantBudget = Number.POSITIVE_INFINITY,
): CompiledCondition | undefined {
  const checked = parseChecked(source, field, report, {
    parse: (text) => environment.cel.parse(text),
    maxLength: environment.limits.maxExpressionLength,
    lengthAdvice: "Split it into several rules",
  });
  if (checked === undefined) return undefined;
  const { parsed, type } = checked;
  if (type !== "bool") {
    report.violation(
      field,
      `has type ${type ?? "unknown"}, but a condition must be a bool: compare the value, for example ` +
        "`input.size_bytes > 0` or `request.tier == \"premium\"`",
      positionAt(source, 0),
    );
    return undefined;
  }
  const facts = inspectExpression(parsed.ast);
  for (const problem of facts.problems) {
    report.violation(
      field,
      `${problem.description} (${describePosition(source, problem.start)}: ` +
        `${excerptAt(source, problem.start, problem.end)})`,
      positionAt(source, problem.start),
    );
  }
  if (facts.problems.length > 0) return undefined;
  const estimate = estimateCost(parsed.ast);
  for (const problem of estimate.problems) {
    report.violation(
      field,
      `${problem.description} (${describePosition(source, problem.start)}: ${excerptAt(source, problem.start, problem.end)})`,
      positionAt(source, problem.start),
    );
  }
  if (estimate.problems.length > 0) return undefined;
  const cost = estimate.cost;
  if (cost > environment.limits.maxExpressionCost) {
    reportOverBudget(source, field, estimate, environment.limits.maxExpressionCost, report);
    return undefined;
  }
  const constant = facts.readsVariables || cost > constantBudget ? undefined : runOutcome(parsed, {}, source);
  if (constant !== undefined) return { source, constant, cost, evaluate: () => constant };
  return { source, constant, cost, evaluate: (activation) => runOutcome(parsed, activation, source) };
}
