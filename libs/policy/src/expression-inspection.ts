import type { ASTNode } from "@marcbachmann/cel-js";

/** A construct the policy language refuses, with the text range it covers. */
export interface ExpressionProblem {
  readonly description: string;
  readonly start: number;
  readonly end: number;
}

/** What {@link inspectExpression} learnt about an expression. */
export interface ExpressionFacts {
  readonly problems: readonly ExpressionProblem[];
  /** True when the expression reads `input`, `request`, `now` or `candidate`; false means it is a constant. */
  readonly readsVariables: boolean;
}

const comprehensions = new Set(["all", "exists", "exists_one", "map", "filter"]);
const languageVariables = new Set(["input", "request", "now", "candidate"]);

function isNode(value: unknown): value is ASTNode {
  return typeof value === "object" && value !== null && "op" in value && "args" in value;
}

function collectNodes(value: unknown, out: ASTNode[]): void {
  if (Array.isArray(value)) for (const item of value) collectNodes(item, out);
  else if (isNode(value)) out.push(value);
}

function childrenOf(node: ASTNode): ASTNode[] {
  const out: ASTNode[] = [];
  if (node.op !== "value" && node.op !== "id") collectNodes(node.args, out);
  return out;
}

function isBind(node: ASTNode): boolean {
  if (node.op !== "rcall") return false;
  const [name, receiver] = node.args;
  return name === "bind" && receiver.op === "id" && receiver.args === "cel";
}

interface Scope {
  readonly inComprehension: boolean;
  readonly inBind: boolean;
}

/**
 * Walks a parsed expression for constructs whose cost cel-js cannot bound, and rejects them:
 * - `matches()`: JavaScript regular expressions backtrack, and a short pattern can take seconds or hours
 *   on a short string (measured: `.*a.*b.*c` on 1 KiB, 15 s);
 * - a comprehension (`all`, `exists`, `exists_one`, `map`, `filter`) inside the predicate or transform of
 *   another, whose cost multiplies the sizes of the collections;
 * - a `cel.bind` inside another `cel.bind`, which can double a list or string at each level.
 * With these gone, evaluation time is linear in the expression's size times the size of the collections
 * it iterates.
 */
export function inspectExpression(root: ASTNode): ExpressionFacts {
  const problems: ExpressionProblem[] = [];
  let readsVariables = false;
  const visit = (node: ASTNode, scope: Scope): void => {
    if (node.op === "id" && languageVariables.has(node.args)) readsVariables = true;
    if ((node.op === "rcall" || node.op === "call") && node.args[0] === "matches") {
      problems.push({
        description:
          "matches() is not allowed: regular expressions can take exponential time on a short input. Use " +
          "startsWith(), endsWith(), contains(), split() or `in` instead",
        start: node.start,
        end: node.end,
      });
    }
    if (node.op === "rcall" && comprehensions.has(node.args[0])) {
      const [name, receiver, args] = node.args;
      if (scope.inComprehension) {
        problems.push({
          description:
            `${name}() inside another comprehension is not allowed: its cost multiplies the sizes of both ` +
            `collections. Test the collections one after the other, or bind a value with cel.bind()`,
          start: node.start,
          end: node.end,
        });
      }
      visit(receiver, scope);
      for (const arg of args) visit(arg, { ...scope, inComprehension: true });
      return;
    }
    if (isBind(node)) {
      if (scope.inBind) {
        problems.push({
          description:
            "cel.bind() inside another cel.bind() is not allowed: nested bindings can double a value at each " +
            "level. Use one cel.bind() per expression",
          start: node.start,
          end: node.end,
        });
      }
      for (const child of childrenOf(node)) visit(child, { ...scope, inBind: true });
      return;
    }
    for (const child of childrenOf(node)) visit(child, scope);
  };
  visit(root, { inComprehension: false, inBind: false });
  return { problems, readsVariables };
}
