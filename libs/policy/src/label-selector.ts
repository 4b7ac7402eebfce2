import { type LabelSelector, LabelOperator } from "@modelrouter/contracts";
import { MAX_LABELS, labelKeyProblem, labelValueProblem } from "@modelrouter/syntax";
import type { CompileReport } from "./policy-violation.js";

/** Model labels as stored in a `Model` message. */
export type Labels = Readonly<Record<string, string>>;

/** A label selector checked and turned into a predicate. */
export interface CompiledSelector {
  /** True when `labels` satisfy every `match_labels` entry and every `match_expressions` requirement. */
  matches(labels: Labels): boolean;
  /** The selector in Kubernetes notation, for example `domain=medical,tier in (gold,silver),!legacy`. */
  readonly text: string;
  /** True when the selector has no requirement at all, and so selects every model. */
  readonly selectsAll: boolean;
}

type Requirement = (labels: Labels) => boolean;

function has(labels: Labels, key: string): boolean {
  return Object.hasOwn(labels, key);
}

/**
 * Checks a label selector against the Kubernetes rules (key and value syntax; IN and NOT_IN need at least
 * one value, EXISTS and DOES_NOT_EXIST none; the operator must be set), reporting every problem under `path`,
 * and returns its predicate. Semantics are Kubernetes': NOT_IN and DOES_NOT_EXIST hold for a missing label.
 */
export function compileLabelSelector(selector: LabelSelector, path: string, report: CompileReport): CompiledSelector {
  const requirements: Requirement[] = [];
  const parts: string[] = [];
  const matchLabels = selector.matchLabels ?? {};
  const named = Object.keys(matchLabels).length + (selector.matchExpressions ?? []).length;
  if (named > MAX_LABELS) {
    report.violation(
      path,
      `has ${named} requirements (match_labels and match_expressions together); a selector may have at most ` +
        `${MAX_LABELS}, as a model may carry at most ${MAX_LABELS} labels. Remove the ones every model shares`,
    );
  }
  for (const key of Object.keys(matchLabels).sort()) {
    const value = matchLabels[key] ?? "";
    const field = `${path}.match_labels[${JSON.stringify(key)}]`;
    const keyProblem = labelKeyProblem(key);
    if (keyProblem !== undefined) report.violation(field, keyProblem);
    const valueProblem = labelValueProblem(value);
    if (valueProblem !== undefined) report.violation(field, valueProblem);
    requirements.push((labels) => has(labels, key) && labels[key] === value);
    parts.push(`${key}=${value}`);
  }
  (selector.matchExpressions ?? []).forEach((expression, index) => {
    const field = `${path}.match_expressions[${index}]`;
    const keyProblem = labelKeyProblem(expression.key);
    if (keyProblem !== undefined) report.violation(`${field}.key`, keyProblem);
    const values = expression.values ?? [];
    values.forEach((value, i) => {
      const problem = labelValueProblem(value);
      if (problem !== undefined) report.violation(`${field}.values[${i}]`, problem);
    });
    const key = expression.key;
    const set = new Set(values);
    const list = [...set].join(",");
    switch (expression.operator) {
      case LabelOperator.IN:
      case LabelOperator.NOT_IN: {
        const isIn = expression.operator === LabelOperator.IN;
        if (values.length === 0) {
          report.violation(
            `${field}.values`,
            `operator ${isIn ? "IN" : "NOT_IN"} needs at least one value, for example values: ["gold", "silver"]`,
          );
        }
        requirements.push(
          isIn
            ? (labels) => has(labels, key) && set.has(labels[key] ?? "")
            : (labels) => !has(labels, key) || !set.has(labels[key] ?? ""),
        );
        parts.push(`${key} ${isIn ? "in" : "notin"} (${list})`);
        return;
      }
      case LabelOperator.EXISTS:
      case LabelOperator.DOES_NOT_EXIST: {
        const exists = expression.operator === LabelOperator.EXISTS;
        if (values.length > 0) {
          report.violation(
            `${field}.values`,
            `operator ${exists ? "EXISTS" : "DOES_NOT_EXIST"} takes no values: remove them, or use ` +
              `${exists ? "IN" : "NOT_IN"} to compare values`,
          );
        }
        requirements.push(exists ? (labels) => has(labels, key) : (labels) => !has(labels, key));
        parts.push(exists ? key : `!${key}`);
        return;
      }
      case LabelOperator.UNSPECIFIED:
        report.violation(`${field}.operator`, "is required: use IN, NOT_IN, EXISTS or DOES_NOT_EXIST");
        return;
      default:
        report.violation(
          `${field}.operator`,
          `${String(expression.operator)} is not a known operator: use IN, NOT_IN, EXISTS or DOES_NOT_EXIST`,
        );
    }
  });
  return {
    matches: (labels) => requirements.every((requirement) => requirement(labels)),
    text: parts.join(","),
    selectsAll: requirements.length === 0,
  };
}
