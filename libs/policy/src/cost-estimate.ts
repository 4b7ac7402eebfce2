import type { ASTNode } from "@marcbachmann/cel-js";
import { priceCall } from "./call-prices.js";
import { COST } from "./cost-units.js";
import type { ExpressionProblem } from "./expression-inspection.js";
import { type KeyFact, forget, holds, keyFact, lookupKey } from "./key-facts.js";
import { REQUEST_BOUNDS, type RequestBounds } from "./request-bounds.js";
import {
  SCALAR,
  type Shape,
  deepWork,
  elementOf,
  hashWork,
  indexedOf,
  joinShapes,
  listShape,
  mapShape,
  memberOf,
  textShape,
  variableShapes,
} from "./value-shapes.js";

/** The comprehension of an expression that costs the most, to name it in a message. */
export interface CostHotspot {
  /** `all`, `exists`, `exists_one`, `map` or `filter`. */
  readonly name: string;
  /** The most times its body runs: the size bound of the collection it iterates. */
  readonly iterations: number;
  /** The cost of one run of its body. */
  readonly bodyCost: number;
  readonly start: number;
  readonly end: number;
}

/** What {@link estimateCost} found. */
export interface CostEstimate {
  /**
   * An upper bound of the work of one evaluation, in cost units (see `cost-units.ts`), for every request
   * within the {@link RequestBounds}.
   */
  readonly cost: number;
  /** The most run-time errors one evaluation can raise (each costs `COST.error`). */
  readonly errors: number;
  readonly hotspot: CostHotspot | undefined;
  /** Constructs the cost model does not know; an expression with any cannot be priced. */
  readonly problems: readonly ExpressionProblem[];
}

interface Scope {
  readonly names: ReadonlyMap<string, Shape>;
  /** Map keys known to be present here. */
  readonly facts: readonly KeyFact[];
}

interface Estimated {
  /** The work of evaluating the node, run-time errors aside. */
  readonly cost: number;
  readonly shape: Shape;
  /** An error may escape the node. */
  readonly throws: boolean;
  /** How many errors evaluating the node may raise and catch itself (`||`, `&&`, `all` and `exists` catch them). */
  readonly caught: number;
  /** Map keys known to be present when the node evaluates to true. */
  readonly present: readonly KeyFact[];
}

interface CheckedType {
  readonly name?: string;
  readonly kind?: string;
  readonly hasDynType?: boolean;
}

const comprehensions = new Set(["all", "exists", "exists_one", "map", "filter"]);
const quantifiers = new Set(["all", "exists"]);
/** Types whose arithmetic can fail at run time (overflow, division by zero, out of range). */
const failingArithmetic = new Set(["int", "uint", "google.protobuf.Timestamp", "google.protobuf.Duration"]);
/** Functions that never fail for arguments of their declared (non-dyn) types. */
const totalFunctions = new Set([
  "size",
  "startsWith",
  "endsWith",
  "contains",
  "lowerAscii",
  "upperAscii",
  "trim",
  "split",
  "join",
  "hex",
  "base64",
  "string",
  "bytes",
  "type",
  "dyn",
  "hasValue",
  "or",
  "orValue",
  "of",
  "none",
]);
const timestampGetter = /^get[A-Z]/;

function checkedType(node: ASTNode): CheckedType | undefined {
  return (node as { readonly checkedType?: CheckedType }).checkedType;
}

/** True when the checker could not pin the node's type down: its operations are resolved, and may fail, at run time. */
function dynamic(node: ASTNode): boolean {
  const type = checkedType(node);
  return type === undefined || type.hasDynType === true || type.kind === "dyn";
}

function isMessage(shape: Shape): boolean {
  return shape.fields !== undefined && shape.value === undefined && !shape.list && !shape.opaque && !shape.text;
}

function isMap(shape: Shape): boolean {
  return shape.value !== undefined && shape.fields === undefined && !shape.list && !shape.opaque && !shape.text;
}

/** The extra work of reading a value that may be a list, a map or a message. */
function containerWork(shape: Shape): number {
  return shape.list || shape.value !== undefined || shape.opaque || shape.fields !== undefined ? COST.container : 0;
}

function literalShape(value: unknown): Shape {
  if (typeof value === "string") return textShape(value.length);
  if (value instanceof Uint8Array) return textShape(value.length);
  return SCALAR;
}

function simple(cost: number, shape: Shape, throws: boolean, parts: readonly Estimated[] = []): Estimated {
  return {
    cost: parts.reduce((total, p) => total + p.cost, cost),
    shape,
    throws: throws || parts.some((p) => p.throws),
    caught: parts.reduce((total, p) => total + p.caught, 0),
    present: [],
  };
}

class Estimator {
  readonly problems: ExpressionProblem[] = [];
  hotspot: (CostHotspot & { readonly total: number }) | undefined;

  constructor(private readonly globals: ReadonlyMap<string, Shape>) {}

  run(node: ASTNode, scope: Scope): Estimated {
    switch (node.op) {
      case "value":
        return simple(COST.node, literalShape(node.args), false);
      case "id":
        return simple(COST.node, scope.names.get(node.args) ?? this.globals.get(node.args) ?? SCALAR, false);
      case ".":
      case ".?":
        return this.member(node.args[0], node.args[1], scope);
      case "[]":
      case "[?]":
        return this.index(node.args[0], node.args[1], scope);
      case "&&":
      case "||":
        return this.logical(node, node.args, scope);
      case "-":
      case "*":
      case "/":
      case "%": {
        const type = checkedType(node);
        const parts = node.args.map((arg) => this.run(arg, scope));
        return simple(COST.node, SCALAR, dynamic(node) || failingArithmetic.has(type?.name ?? ""), parts);
      }
      case "!_":
      case "-_":
        return simple(COST.node, SCALAR, dynamic(node.args), [this.run(node.args, scope)]);
      case "?:":
        return this.ternary(node.args, scope);
      case "==":
      case "!=": {
        const [a, b] = [this.run(node.args[0], scope), this.run(node.args[1], scope)];
        const compare = Math.min(deepWork(a.shape), deepWork(b.shape));
        return simple(COST.node + compare, SCALAR, dynamic(node.args[0]) || dynamic(node.args[1]), [a, b]);
      }
      case "<":
      case "<=":
      case ">":
      case ">=": {
        const [a, b] = [this.run(node.args[0], scope), this.run(node.args[1], scope)];
        const compare = a.shape.text && b.shape.text ? Math.min(a.shape.size, b.shape.size) * COST.char : 0;
        return simple(COST.node + compare, SCALAR, dynamic(node.args[0]) || dynamic(node.args[1]), [a, b]);
      }
      case "+":
        return this.concat(node, node.args, scope);
      case "in":
        return this.membership(node.args, scope);
      case "list": {
        const elements = node.args.map((element) => this.run(element, scope));
        const item = elements.reduce<Shape | undefined>((all, e) => joinShapes(all, e.shape), undefined) ?? SCALAR;
        return simple(COST.node + elements.length * COST.piece, listShape(elements.length, item), false, elements);
      }
      case "map": {
        const parts: Estimated[] = [];
        let hashing = 0;
        let key: Shape | undefined;
        let value: Shape | undefined;
        for (const [k, v] of node.args) {
          const [ek, ev] = [this.run(k, scope), this.run(v, scope)];
          parts.push(ek, ev);
          hashing += hashWork(ek.shape) + COST.mapEntry;
          key = joinShapes(key, ek.shape);
          value = joinShapes(value, ev.shape);
        }
        const computedKeys = node.args.some(([k]) => k.op !== "value");
        const shape = mapShape(node.args.length, key ?? SCALAR, value ?? SCALAR);
        return simple(COST.node + hashing, shape, computedKeys, parts);
      }
      case "call":
        return this.call(node, node.args[0], undefined, node.args[1], scope);
      case "rcall":
        return this.call(node, node.args[0], node.args[1], node.args[2], scope);
      default:
        return this.unknownOperator(node);
    }
  }

  /** An operator this estimator does not know (one a newer cel-js adds): refused rather than under-priced. */
  private unknownOperator(node: never): Estimated {
    const unknown = node as ASTNode;
    this.problems.push({
      description: `the cost of the ${String(unknown.op)} operator cannot be estimated, so it is not allowed`,
      start: unknown.start,
      end: unknown.end,
    });
    return simple(COST.node, SCALAR, true);
  }

  private member(targetNode: ASTNode, name: string, scope: Scope): Estimated {
    const target = this.run(targetNode, scope);
    const safe = isMessage(target.shape) || holds(scope.facts, keyFact(targetNode, { literal: name }));
    const lookup = target.shape.value !== undefined || target.shape.opaque ? COST.node : 0;
    const shape = memberOf(target.shape, name);
    return simple(COST.node + lookup + containerWork(shape), shape, !safe, [target]);
  }

  private index(targetNode: ASTNode, indexNode: ASTNode, scope: Scope): Estimated {
    const [target, index] = [this.run(targetNode, scope), this.run(indexNode, scope)];
    const key = lookupKey(indexNode);
    const literal = key !== undefined && "literal" in key ? key.literal : undefined;
    const safe =
      (isMessage(target.shape) && literal !== undefined) ||
      (key !== undefined && holds(scope.facts, keyFact(targetNode, key)));
    const lookup = target.shape.value !== undefined || target.shape.opaque ? hashWork(index.shape) : 0;
    const shape = indexedOf(target.shape, literal);
    return simple(COST.node + lookup + containerWork(shape), shape, !safe || dynamic(indexNode), [target, index]);
  }

  private logical(node: ASTNode, args: readonly [ASTNode, ASTNode], scope: Scope): Estimated {
    const left = this.run(args[0], scope);
    const guarded = node.op === "&&" && !left.throws ? { ...scope, facts: [...scope.facts, ...left.present] } : scope;
    const right = this.run(args[1], guarded);
    return {
      cost: COST.node + left.cost + right.cost,
      shape: SCALAR,
      throws: left.throws || right.throws || dynamic(args[0]) || dynamic(args[1]),
      caught: left.caught + right.caught + (left.throws ? 1 : 0),
      present: node.op === "&&" ? [...left.present, ...right.present] : [],
    };
  }

  private ternary(args: readonly [ASTNode, ASTNode, ASTNode], scope: Scope): Estimated {
    const test = this.run(args[0], scope);
    const yes = this.run(args[1], { ...scope, facts: [...scope.facts, ...test.present] });
    const no = this.run(args[2], scope);
    return simple(COST.node, joinShapes(yes.shape, no.shape), dynamic(args[0]), [test, yes, no]);
  }

  private concat(node: ASTNode, args: readonly [ASTNode, ASTNode], scope: Scope): Estimated {
    const [a, b] = [this.run(args[0], scope), this.run(args[1], scope)];
    const size = a.shape.size + b.shape.size;
    const copy =
      (a.shape.list || b.shape.list ? size * COST.piece : 0) + (a.shape.text || b.shape.text ? size * COST.char : 0);
    const shape: Shape = { ...joinShapes(a.shape, b.shape), size, hashed: false };
    const throws = dynamic(node) || failingArithmetic.has(checkedType(node)?.name ?? "");
    return simple(COST.node + copy, shape, throws, [a, b]);
  }

  private membership(args: readonly [ASTNode, ASTNode], scope: Scope): Estimated {
    const [needle, haystack] = [this.run(args[0], scope), this.run(args[1], scope)];
    const h = haystack.shape;
    let search = 0;
    if (h.list && h.item !== undefined) search += h.size * (COST.node + Math.min(deepWork(needle.shape), deepWork(h.item)));
    if (h.value !== undefined) search += hashWork(needle.shape);
    if (h.opaque) search += h.size * (COST.node + Math.min(deepWork(needle.shape), deepWork(h)));
    const key = lookupKey(args[0]);
    const fact = isMap(h) && key !== undefined ? keyFact(args[1], key) : undefined;
    const result = simple(COST.node + search, SCALAR, dynamic(args[0]) || dynamic(args[1]), [needle, haystack]);
    return { ...result, present: fact === undefined ? [] : [fact] };
  }

  private call(
    node: ASTNode,
    name: string,
    receiverNode: ASTNode | undefined,
    argNodes: readonly ASTNode[],
    scope: Scope,
  ): Estimated {
    if (receiverNode !== undefined && comprehensions.has(name)) {
      return this.comprehension(node, name, receiverNode, argNodes, scope);
    }
    const namespace = receiverNode?.op === "id" && !scope.names.has(receiverNode.args) ? receiverNode.args : undefined;
    if (namespace === "cel" && name === "bind" && receiverNode !== undefined) return this.bind(receiverNode, argNodes, scope);
    if (receiverNode === undefined && name === "has") return this.has(argNodes, scope);
    const receiver = receiverNode === undefined ? undefined : this.run(receiverNode, scope);
    const args = argNodes.map((arg) => this.run(arg, scope));
    const price = priceCall(
      name,
      receiver === undefined ? undefined : { namespace, shape: receiver.shape },
      args.map((arg) => arg.shape),
    );
    if (price === undefined) {
      this.problems.push({
        description: `the cost of ${name}() cannot be estimated, so it is not allowed in a condition`,
        start: node.start,
        end: node.end,
      });
    }
    const total =
      (totalFunctions.has(name) ||
        (timestampGetter.test(name) && argNodes.length === 0) ||
        ((name === "indexOf" || name === "lastIndexOf") && argNodes.length === 1)) &&
      ![...(receiverNode === undefined || namespace !== undefined ? [] : [receiverNode]), ...argNodes].some(dynamic);
    const parts = receiver === undefined ? args : [receiver, ...args];
    return simple(COST.node + (price?.work ?? 0), price?.shape ?? SCALAR, !total, parts);
  }

  private has(argNodes: readonly ASTNode[], scope: Scope): Estimated {
    const [selection] = argNodes;
    if (selection === undefined || selection.op !== ".") {
      return simple(COST.node, SCALAR, true, argNodes.map((arg) => this.run(arg, scope)));
    }
    const [targetNode, name] = selection.args;
    const target = this.run(targetNode, scope);
    const fact = isMap(target.shape) ? keyFact(targetNode, { literal: name }) : undefined;
    const result = simple(2 * COST.node, SCALAR, false, [target]);
    return { ...result, present: fact === undefined ? [] : [fact] };
  }

  private bind(receiver: ASTNode, argNodes: readonly ASTNode[], scope: Scope): Estimated {
    const [variable, init, body] = argNodes;
    if (variable === undefined || init === undefined || body === undefined || variable.op !== "id") {
      return simple(COST.node, SCALAR, true, argNodes.map((arg) => this.run(arg, scope)));
    }
    const value = this.run(init, scope);
    const inner: Scope = {
      names: new Map(scope.names).set(variable.args, value.shape),
      facts: forget(scope.facts, variable.args),
    };
    const result = this.run(body, inner);
    return simple(COST.bind, result.shape, false, [this.run(receiver, scope), value, result]);
  }

  private comprehension(
    node: ASTNode,
    name: string,
    receiverNode: ASTNode,
    argNodes: readonly ASTNode[],
    scope: Scope,
  ): Estimated {
    const range = this.run(receiverNode, scope);
    const [variable, ...bodyNodes] = argNodes;
    const element = elementOf(range.shape);
    let inner = scope;
    if (variable?.op === "id") {
      const fact = isMap(range.shape) ? keyFact(receiverNode, { variable: variable.args }) : undefined;
      const facts = forget(scope.facts, variable.args);
      inner = {
        names: new Map(scope.names).set(variable.args, element),
        facts: fact === undefined ? facts : [...facts, fact],
      };
    }
    const body = bodyNodes.map((bodyNode) => this.run(bodyNode, inner));
    const bodyCost = body.reduce((total, b) => total + b.cost, 0);
    const bodyThrows = body.some((b) => b.throws);
    const bodyCaught = body.reduce((total, b) => total + b.caught, 0);
    const n = range.shape.size;
    const keys = range.shape.list ? 0 : n * COST.piece;
    const loop = n * (COST.iteration + bodyCost);
    if (this.hotspot === undefined || loop > this.hotspot.total) {
      this.hotspot = { name, iterations: n, bodyCost: Math.ceil(bodyCost), start: node.start, end: node.end, total: loop };
    }
    const catches = quantifiers.has(name);
    const result: Estimated = {
      cost: 2 * COST.node + range.cost + keys + loop,
      shape: SCALAR,
      throws: range.throws || dynamic(receiverNode) || bodyThrows,
      caught: range.caught + n * (bodyCaught + (catches && bodyThrows ? 1 : 0)),
      present: [],
    };
    switch (name) {
      case "map":
        return { ...result, shape: listShape(n, body[body.length - 1]?.shape ?? SCALAR) };
      case "filter":
        return { ...result, shape: listShape(n, element) };
      default:
        return result;
    }
  }
}

/**
 * Estimates the work of one evaluation of a parsed and type-checked expression, in cost units, for requests
 * within `bounds`. The estimate is a sound upper bound of the evaluation's work: it charges every node as if
 * evaluated (both sides of `&&`, `||` and `?:`; no comprehension stops early), each comprehension's body
 * once per element of the largest collection its range can be (a literal's length, or the bound of a
 * request's list or map; nested comprehensions multiply), `in` on a list once per element, string functions
 * per character of the longest string they can see, and `COST.error` for each run-time error evaluation can
 * raise (a missing map key, an integer overflow, a failed conversion: cel-js builds each error with a
 * formatted excerpt), counting one per error that `||`, `&&`, `all` or `exists` may catch and go on. A key
 * looked up after `"k" in m &&`, `has(m.k) &&`, or as the variable of a comprehension over the same map
 * cannot fail. Constructs it cannot price are returned as problems.
 */
export function estimateCost(root: ASTNode, bounds: RequestBounds = REQUEST_BOUNDS): CostEstimate {
  const estimator = new Estimator(variableShapes(bounds));
  const result = estimator.run(root, { names: new Map(), facts: [] });
  const errors = result.caught + (result.throws ? 1 : 0);
  const errorCost = COST.error + COST.errorPerChar * root.input.length;
  const hotspot = estimator.hotspot;
  return {
    cost: Math.ceil(result.cost + errors * errorCost),
    errors,
    hotspot:
      hotspot === undefined
        ? undefined
        : {
            name: hotspot.name,
            iterations: hotspot.iterations,
            bodyCost: hotspot.bodyCost,
            start: hotspot.start,
            end: hotspot.end,
          },
    problems: estimator.problems,
  };
}
