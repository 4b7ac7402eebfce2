import { create } from "@bufbuild/protobuf";
import { DataType, type Tensor, type TensorProfile, TensorProfileSchema } from "@modelrouter/contracts";
import type { Violations } from "@modelrouter/errors";
import { ANALYZER_LIMITS } from "./limits.js";

interface ElementType {
  readonly name: string;
  /** Bytes per element in `raw_data`. */
  readonly bytes: number;
  /** Which repeated field holds the elements when `raw_data` is not used. */
  readonly listField: "float_data" | "int_data";
  /** Inclusive range of `int_data` values; undefined when any value of the field fits (floats, INT64). */
  readonly range?: readonly [bigint, bigint];
}

const ELEMENT_TYPES: Readonly<Partial<Record<DataType, ElementType>>> = {
  [DataType.FLOAT32]: { name: "FLOAT32", bytes: 4, listField: "float_data" },
  [DataType.FLOAT64]: { name: "FLOAT64", bytes: 8, listField: "float_data" },
  [DataType.INT32]: { name: "INT32", bytes: 4, listField: "int_data", range: [-(2n ** 31n), 2n ** 31n - 1n] },
  [DataType.INT64]: { name: "INT64", bytes: 8, listField: "int_data" },
  [DataType.UINT8]: { name: "UINT8", bytes: 1, listField: "int_data", range: [0n, 255n] },
  [DataType.BOOL]: { name: "BOOL", bytes: 1, listField: "int_data", range: [0n, 1n] },
};

/** A validated tensor's profile and its dense size in bytes. */
export interface ProfiledTensor {
  readonly profile: TensorProfile;
  /** Element count × element size. */
  readonly sizeBytes: number;
}

/**
 * Validates a tensor and profiles its data type, shape and element count. Every problem is added to
 * `violations` under `path` (for example `payload.tensor.shape[1]`): the data type must be set; there must be
 * 1..{@link ANALYZER_LIMITS.maxTensorRank} dimensions, each at least 1; exactly one of `float_data` (float
 * types), `int_data` (integer and bool types, each value within the type's range) or `raw_data` must be set,
 * holding product(shape) elements (`raw_data`: that many × the element size in bytes). Returns undefined when
 * any problem was found.
 */
export function profileTensor(tensor: Tensor, path: string, violations: Violations): ProfiledTensor | undefined {
  const before = violations.items.length;
  const type = ELEMENT_TYPES[tensor.dataType];
  if (type === undefined) {
    violations.add(`${path}.data_type`, "is required: set FLOAT32, FLOAT64, INT32, INT64, UINT8 or BOOL");
  }
  const count = elementCount(tensor.shape, path, violations);
  const set = [
    tensor.floatData.length > 0 ? "float_data" : undefined,
    tensor.intData.length > 0 ? "int_data" : undefined,
    tensor.rawData.length > 0 ? "raw_data" : undefined,
  ].filter((x) => x !== undefined);
  if (set.length === 0) violations.add(path, "has no data: set exactly one of float_data, int_data or raw_data");
  if (set.length > 1) violations.add(path, `sets ${set.join(" and ")}: set exactly one of float_data, int_data or raw_data`);
  if (type !== undefined && set.length === 1) checkData(tensor, type, count, path, violations);
  if (violations.items.length > before || type === undefined || count === undefined) return undefined;
  return {
    profile: create(TensorProfileSchema, { dataType: tensor.dataType, shape: [...tensor.shape], elementCount: count }),
    sizeBytes: count * type.bytes,
  };
}

function elementCount(shape: readonly number[], path: string, violations: Violations): number | undefined {
  if (shape.length === 0) {
    violations.add(`${path}.shape`, "is empty: give at least one dimension, for example [1, 784]");
    return undefined;
  }
  if (shape.length > ANALYZER_LIMITS.maxTensorRank) {
    violations.add(`${path}.shape`, `has ${shape.length} dimensions; at most ${ANALYZER_LIMITS.maxTensorRank} are allowed`);
    return undefined;
  }
  let count = 1;
  let valid = true;
  shape.forEach((dim, i) => {
    if (!Number.isInteger(dim) || dim < 1) {
      violations.add(`${path}.shape[${i}]`, `is ${dim}; every dimension must be a whole number of at least 1`);
      valid = false;
    } else count *= dim;
  });
  if (!valid) return undefined;
  if (count > ANALYZER_LIMITS.maxTensorElements) {
    violations.add(`${path}.shape`, `describes ${count} elements; at most ${ANALYZER_LIMITS.maxTensorElements} are allowed`);
    return undefined;
  }
  return count;
}

function checkData(tensor: Tensor, type: ElementType, count: number | undefined, path: string, violations: Violations): void {
  const shape = `[${tensor.shape.join(", ")}]`;
  if (tensor.rawData.length > 0) {
    if (count !== undefined && tensor.rawData.length !== count * type.bytes) {
      violations.add(
        `${path}.raw_data`,
        `has ${tensor.rawData.length} bytes but shape ${shape} of ${type.name} needs ${count * type.bytes} (${count} × ${type.bytes})`,
      );
    }
    return;
  }
  const field = tensor.floatData.length > 0 ? "float_data" : "int_data";
  if (field !== type.listField) {
    violations.add(`${path}.${field}`, `cannot hold ${type.name} elements: use ${type.listField} or raw_data`);
    return;
  }
  const length = field === "float_data" ? tensor.floatData.length : tensor.intData.length;
  if (count !== undefined && length !== count) {
    violations.add(`${path}.${field}`, `has ${length} elements but shape ${shape} needs ${count}`);
  }
  if (type.range !== undefined) {
    const [min, max] = type.range;
    const index = tensor.intData.findIndex((v) => v < min || v > max);
    if (index >= 0) {
      violations.add(`${path}.int_data[${index}]`, `is ${tensor.intData[index]}, outside ${type.name}'s range ${min}..${max}`);
    }
  }
}
