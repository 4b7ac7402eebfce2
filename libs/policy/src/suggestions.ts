import { candidateCelTypes } from "./candidate-values.js";
import { celTypes, celVariables } from "./cel-values.js";

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
function distance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return at(a.length, b.length);
}

function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d <= bestDistance && (best === undefined || d < bestDistance)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * The fields a misspelt field could have meant: those of the message types that `parent` (the variable or
 * field it is selected from, as in `candidate.metrics.`) can be; every field of the language when `parent` is
 * unknown. Never `name` itself (it exists on another type).
 */
function fieldsUnder(name: string, parent: string | undefined): Set<string> {
  const types = [...celTypes(), ...candidateCelTypes()];
  const typeNames = new Set<string>();
  if (parent !== undefined) {
    const variable = parent === "candidate" ? "Candidate" : celVariables()[parent];
    if (variable !== undefined) typeNames.add(variable);
    for (const type of types) {
      const fieldType = type.fields[parent];
      if (fieldType !== undefined) typeNames.add(fieldType);
    }
  }
  const scoped = types.filter((type) => typeNames.has(type.name));
  const fields = new Set((scoped.length > 0 ? scoped : types).flatMap((type) => Object.keys(type.fields)));
  fields.delete(name);
  return fields;
}

/**
 * " Did you mean \"width\"?" for a misspelt field, or "" when no field is close: among the fields of what it is
 * selected from (`parent`, such as "metrics" in `candidate.metrics.p95_latency_ms`) when that is known.
 */
export function suggestField(name: string, parent?: string): string {
  const match = closest(name, fieldsUnder(name, parent));
  return match === undefined ? "" : ` Did you mean "${match}"?`;
}

/** " Did you mean \"input\"?" for a misspelt variable; otherwise a list of the variables there are. */
export function suggestVariable(name: string): string {
  const variables = Object.keys(celVariables());
  if (name === "candidate") {
    return (
      " `candidate` exists only in a route's `constraints` (with STRATEGY_BEST, STRATEGY_FASTEST or " +
      `STRATEGY_CHEAPEST); move the condition there. The variables here are ${variables.join(", ")}.`
    );
  }
  const match = closest(name, variables);
  return match === undefined
    ? ` The variables are ${variables.join(", ")}.`
    : ` Did you mean "${match}"? The variables are ${variables.join(", ")}.`;
}
