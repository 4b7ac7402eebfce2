import { COST } from "./cost-units.js";
import { SCALAR, type Shape, joinShapes, listShape, opaqueShape, textShape } from "./value-shapes.js";

/** The work of one function call beyond evaluating its receiver and arguments, and the shape of its result. */
export interface CallPrice {
  readonly work: number;
  readonly shape: Shape;
}

const timestampGetters = new Set([
  "getDate",
  "getDayOfMonth",
  "getDayOfWeek",
  "getDayOfYear",
  "getFullYear",
  "getHours",
  "getMilliseconds",
  "getMinutes",
  "getMonth",
  "getSeconds",
]);

/** Longest text of a number or bool converted by `string()` ("-1.7976931348623157e+308"). */
const NUMBER_TEXT = 32;

function chars(shape: Shape | undefined): number {
  return shape === undefined || !(shape.text || shape.opaque) ? 0 : shape.size;
}

function scalar(work: number): CallPrice {
  return { work, shape: SCALAR };
}

/** A global function: `size(x)`, `int(x)`, `timestamp(s)`, … */
function globalCall(name: string, args: readonly Shape[]): CallPrice | undefined {
  const [first] = args;
  const n = chars(first);
  switch (name) {
    case "dyn":
      return first === undefined ? undefined : { work: 0, shape: first };
    case "type":
      return scalar(0);
    case "size":
      return scalar(n * COST.codePoint);
    case "bool":
    case "int":
    case "uint":
    case "double":
      return scalar(n * COST.char);
    case "string":
      return { work: n * 2 * COST.char, shape: textShape(first?.text ? first.size : NUMBER_TEXT) };
    case "bytes":
      return { work: n * 2 * COST.char, shape: textShape(3 * n) };
    case "timestamp":
      return scalar(first?.text ? COST.timestampParse : 0);
    case "duration":
      return scalar(COST.durationParse + n * n * COST.char);
    default:
      return undefined;
  }
}

/** A method on a string, bytes, list, timestamp, duration or optional value: `s.contains(t)`, `l.join(",")`, … */
function methodCall(name: string, receiver: Shape, args: readonly Shape[]): CallPrice | undefined {
  const n = chars(receiver);
  const [first] = args;
  const m = chars(first);
  if (timestampGetters.has(name)) return scalar(args.length === 1 ? COST.timeZone + m * COST.char : 0);
  switch (name) {
    case "size":
      return scalar(n * COST.codePoint);
    case "startsWith":
    case "endsWith":
      return scalar(Math.min(n, m) * COST.char);
    case "contains":
    case "indexOf":
    case "lastIndexOf":
      return scalar((n + m) * COST.char);
    case "matches":
      return scalar((n + 1) * (m + 1) * COST.char);
    case "lowerAscii":
    case "upperAscii":
    case "trim":
    case "substring":
      return { work: n * COST.char, shape: textShape(n) };
    case "split":
      return {
        work: (n * COST.char + (n + 1) * COST.piece) * (args.length > 1 ? 2 : 1),
        shape: listShape(n + 1, textShape(n)),
      };
    case "join": {
      const item = chars(receiver.item) + m;
      return {
        work: receiver.size * (COST.piece + item * COST.char),
        shape: textShape(receiver.size * item),
      };
    }
    case "json":
      return { work: n * COST.jsonByte, shape: opaqueShape(n) };
    case "hex":
      return { work: n * 2 * COST.char, shape: textShape(2 * n) };
    case "base64":
      return { work: n * 2 * COST.char, shape: textShape(4 * Math.ceil(n / 3)) };
    case "string":
      return { work: n * 2 * COST.char, shape: textShape(n) };
    case "at":
    case "hasValue":
      return scalar(0);
    case "value":
      return { work: 0, shape: receiver };
    case "or":
    case "orValue":
      return { work: 0, shape: joinShapes(receiver, first ?? SCALAR) };
    default:
      return undefined;
  }
}

/** `optional.of(x)`, `optional.none()`: an optional value has the shape of what it holds. */
function optionalCall(name: string, args: readonly Shape[]): CallPrice | undefined {
  if (name === "none") return scalar(0);
  if (name === "of" && args[0] !== undefined) return { work: 0, shape: args[0] };
  return undefined;
}

/**
 * The price of calling `name` on `receiver` (undefined for a global function) with arguments of these
 * shapes; undefined for a function the cost model does not know, which the estimator refuses.
 */
export function priceCall(
  name: string,
  receiver: { readonly namespace: string | undefined; readonly shape: Shape } | undefined,
  args: readonly Shape[],
): CallPrice | undefined {
  if (receiver === undefined) return globalCall(name, args);
  if (receiver.namespace === "optional") return optionalCall(name, args);
  return methodCall(name, receiver.shape, args);
}
