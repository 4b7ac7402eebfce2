import { DataType, type Tensor } from "@modelrouter/contracts";
import type { Violations } from "@modelrouter/errors";

/** A tensor element type, as modelrouter names it in code (`float32`) and in messages (`FLOAT32`). */
export type TensorElementType = "float32" | "float64" | "int32" | "int64" | "uint8" | "bool";

/** What the `Tensor` message's fields mean for one element type. */
export interface ElementType {
  readonly type: TensorElementType;
  /** The enum value's short name, for messages: `FLOAT32`. */
  readonly name: string;
  /** Bytes per element in `raw_data` (little-endian). */
  readonly bytes: number;
  /** Which repeated field holds the elements when `raw_data` is not used. */
  readonly listField: "float_data" | "int_data";
  /** Inclusive range of `int_data` values; undefined when any value of the field fits (floats, INT64). */
  readonly range?: readonly [bigint, bigint];
}

/** The element types a `Tensor` may have, by its `DataType`. */
export const ELEMENT_TYPES: Readonly<Partial<Record<DataType, ElementType>>> = {
  [DataType.FLOAT32]: { type: "float32", name: "FLOAT32", bytes: 4, listField: "float_data" },
  [DataType.FLOAT64]: { type: "float64", name: "FLOAT64", bytes: 8, listField: "float_data" },
  [DataType.INT32]: { type: "int32", name: "INT32", bytes: 4, listField: "int_data", range: [-(2n ** 31n), 2n ** 31n - 1n] },
  [DataType.INT64]: { type: "int64", name: "INT64", bytes: 8, listField: "int_data" },
  [DataType.UINT8]: { type: "uint8", name: "UINT8", bytes: 1, listField: "int_data", range: [0n, 255n] },
  [DataType.BOOL]: { type: "bool", name: "BOOL", bytes: 1, listField: "int_data", range: [0n, 1n] },
};

/** How large a tensor may be. */
export interface TensorLimits {
  readonly maxRank: number;
  readonly maxElements: number;
}

/** A tensor that passed {@link checkTensor}: its element type and element count. */
export interface CheckedTensor {
  readonly element: ElementType;
  readonly count: number;
}

/**
 * Checks a tensor's structure and adds every problem to `violations` under `path` (for example
 * `payload.tensor`, giving `payload.tensor.shape[1]`): the data type must be set; there must be
 * 1..`maxRank` dimensions, each a whole number of at least 1, describing at most `maxElements` elements;
 * exactly one of `float_data` (float types), `int_data` (integer and bool types, each value within the type's
 * range) or `raw_data` must be set, holding product(shape) elements (`raw_data`: that many × the element size).
 * Returns the element type and count, or undefined when any problem was found. Whether a model takes the
 * tensor is checked later, against the model's input.
 */
export function checkTensor(tensor: Tensor, path: string, violations: Violations, limits: TensorLimits): CheckedTensor | undefined {
  const before = violations.items.length;
  const at = (field: string): string => (path === "" ? field : `${path}.${field}`);
  const element = ELEMENT_TYPES[tensor.dataType];
  if (element === undefined) {
    violations.add(at("data_type"), "is required: set FLOAT32, FLOAT64, INT32, INT64, UINT8 or BOOL");
  }
  const count = elementCount(tensor.shape, at("shape"), violations, limits);
  const set = [
    tensor.floatData.length > 0 ? "float_data" : undefined,
    tensor.intData.length > 0 ? "int_data" : undefined,
    tensor.rawData.length > 0 ? "raw_data" : undefined,
  ].filter((x) => x !== undefined);
  if (set.length === 0) violations.add(at("float_data"), "has no data: set exactly one of float_data, int_data or raw_data");
  if (set.length > 1) violations.add(at(set[1] ?? ""), `is set with ${set[0] ?? ""}: set exactly one of float_data, int_data or raw_data`);
  if (element !== undefined && set.length === 1) checkData(tensor, element, count, at, violations);
  if (violations.items.length > before || element === undefined || count === undefined) return undefined;
  return { element, count };
}

function elementCount(shape: readonly number[], field: string, violations: Violations, limits: TensorLimits): number | undefined {
  if (shape.length === 0) {
    violations.add(field, "is empty: give at least one dimension, for example [1, 784]");
    return undefined;
  }
  if (shape.length > limits.maxRank) {
    violations.add(field, `has ${shape.length} dimensions; at most ${limits.maxRank} are allowed`);
    return undefined;
  }
  let count = 1;
  let valid = true;
  shape.forEach((dim, i) => {
    if (!Number.isInteger(dim) || dim < 1) {
      violations.add(`${field}[${i}]`, `is ${dim}; every dimension must be a whole number of at least 1`);
      valid = false;
    } else count *= dim;
  });
  if (!valid) return undefined;
  if (count > limits.maxElements) {
    violations.add(field, `describes ${count} elements; at most ${limits.maxElements} are allowed`);
    return undefined;
  }
  return count;
}

function checkData(
  tensor: Tensor,
  element: ElementType,
  count: number | undefined,
  at: (field: string) => string,
  violations: Violations,
): void {
  const shape = `[${tensor.shape.join(", ")}]`;
  if (tensor.rawData.length > 0) {
    if (count !== undefined && tensor.rawData.length !== count * element.bytes) {
      violations.add(
        at("raw_data"),
        `has ${tensor.rawData.length} bytes but shape ${shape} of ${element.name} needs ${count * element.bytes} (${count} × ${element.bytes})`,
      );
    }
    return;
  }
  const field = tensor.floatData.length > 0 ? "float_data" : "int_data";
  if (field !== element.listField) {
    violations.add(at(field), `cannot hold ${element.name} elements: use ${element.listField} or raw_data`);
    return;
  }
  const length = field === "float_data" ? tensor.floatData.length : tensor.intData.length;
  if (count !== undefined && length !== count) {
    violations.add(at(field), `has ${length} elements but shape ${shape} needs ${count}`);
  }
  if (element.range !== undefined) {
    const [min, max] = element.range;
    const index = tensor.intData.findIndex((v) => v < min || v > max);
    if (index >= 0) {
      violations.add(at(`int_data[${index}]`), `is ${tensor.intData[index]}, outside ${element.name}'s range ${min}..${max}`);
    }
  }
}
