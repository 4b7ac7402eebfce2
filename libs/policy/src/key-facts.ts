import type { ASTNode } from "@marcbachmann/cel-js";

/**
 * A map key known to be present where an expression is evaluated, so that looking it up cannot fail: the
 * right side of `"k" in m && m["k"] == …`, the consequent of `has(m.k) ? m.k : …`, the body of
 * `m.all(k, m[k] …)`. `text` names the lookup (`request.metadata["k"]`, or `request.metadata[#k]` for the
 * key a variable holds); `names` are the variables it depends on, so that it is forgotten where one of them
 * is bound anew.
 */
export interface KeyFact {
  readonly text: string;
  readonly names: readonly string[];
}

interface Path {
  readonly text: string;
  readonly names: readonly string[];
}

/** The text of an expression that always yields the same value in one scope (variables and selections), or undefined. */
function pathOf(node: ASTNode): Path | undefined {
  if (node.op === "id") return { text: node.args, names: [node.args] };
  if (node.op === ".") {
    const target = pathOf(node.args[0]);
    return target === undefined ? undefined : { text: `${target.text}.${node.args[1]}`, names: target.names };
  }
  if (node.op === "[]" && node.args[1].op === "value" && typeof node.args[1].args === "string") {
    const target = pathOf(node.args[0]);
    const key = JSON.stringify(node.args[1].args);
    return target === undefined ? undefined : { text: `${target.text}[${key}]`, names: target.names };
  }
  return undefined;
}

/** The fact that `map` (a path) has the key `key` (a literal string, or the value of a variable). */
export function keyFact(map: ASTNode, key: { readonly literal: string } | { readonly variable: string }): KeyFact | undefined {
  const path = pathOf(map);
  if (path === undefined) return undefined;
  if ("literal" in key) return { text: `${path.text}[${JSON.stringify(key.literal)}]`, names: path.names };
  return { text: `${path.text}[#${key.variable}]`, names: [...path.names, key.variable] };
}

/** The key a lookup node reads: a literal string or a variable; undefined for any other index. */
export function lookupKey(index: ASTNode): { readonly literal: string } | { readonly variable: string } | undefined {
  if (index.op === "value" && typeof index.args === "string") return { literal: index.args };
  if (index.op === "id") return { variable: index.args };
  return undefined;
}

/** True when `facts` hold `fact`. */
export function holds(facts: readonly KeyFact[], fact: KeyFact | undefined): boolean {
  return fact !== undefined && facts.some((f) => f.text === fact.text);
}

/** `facts` without those that depend on `name`, for a scope where `name` is bound anew. */
export function forget(facts: readonly KeyFact[], name: string): readonly KeyFact[] {
  return facts.some((f) => f.names.includes(name)) ? facts.filter((f) => !f.names.includes(name)) : facts;
}
