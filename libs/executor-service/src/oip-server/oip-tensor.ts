import { invalidField } from "@modelrouter/errors";
import type { TensorDataType, TensorValues } from "../worker-protocol.js";
import { ELEMENT_BYTES } from "../model-input.js";
import { checkBoolBytes, valuesFromLittleEndian } from "../tensor-bytes.js";

/** A tensor as the OIP endpoint handles it, whatever the wire: its name, element type, shape and elements. */
export interface OipTensor {
  readonly name: string;
  readonly type: TensorDataType;
  /** Dimensions, all known (at least 0). */
  readonly shape: readonly number[];
  /** Row-major elements; BOOL as 0/1 bytes. */
  readonly values: TensorValues;
}

/** One element as a wire list carries it: a number, a 64-bit integer or a boolean. */
export type WireElement = number | bigint | boolean;

/** The number of elements of a shape. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/**
 * The elements packed little-endian in `bytes`.
 *
 * @throws DomainError INVALID_FIELD naming `field` when the byte count is not `count` elements of `type`, or a
 *   BOOL byte is neither 0 nor 1.
 */
export function valuesFromRaw(bytes: Uint8Array, type: TensorDataType, count: number, field: string): TensorValues {
  const size = ELEMENT_BYTES[type];
  if (bytes.byteLength !== count * size) {
    throw invalidField(
      field,
      `has ${bytes.byteLength} bytes, but ${count} ${type} elements take ${count * size} (${size} bytes each, little-endian)`,
    );
  }
  if (type === "bool") checkBoolBytes(bytes, field);
  return valuesFromLittleEndian(bytes, type);
}

/**
 * The elements of a wire list (typed contents or JSON data), each checked to fit `type`: a finite or
 * non-finite number for FP32/FP64, an integer in range for the integer types, a boolean (or 0/1) for BOOL.
 *
 * @throws DomainError INVALID_FIELD naming `field[i]` for the first element that does not fit.
 */
export function valuesFromList(list: readonly WireElement[], type: TensorDataType, field: string): TensorValues {
  const bad = (i: number, expected: string): never => {
    throw invalidField(`${field}[${i}]`, `is ${JSON.stringify(String(list[i]))}, but a ${type} element must be ${expected}`);
  };
  const integer = (x: WireElement, i: number, min: bigint, max: bigint): bigint => {
    const n = typeof x === "bigint" ? x : typeof x === "number" && Number.isInteger(x) ? BigInt(x) : undefined;
    if (n === undefined || n < min || n > max) return bad(i, `an integer from ${min} to ${max}`);
    return n;
  };
  switch (type) {
    case "float32":
    case "float64": {
      const out = type === "float32" ? new Float32Array(list.length) : new Float64Array(list.length);
      list.forEach((x, i) => (out[i] = typeof x === "number" ? x : typeof x === "bigint" ? Number(x) : bad(i, "a number")));
      return out;
    }
    case "int32":
      return Int32Array.from(list, (x, i) => Number(integer(x, i, -(2n ** 31n), 2n ** 31n - 1n)));
    case "int64":
      return BigInt64Array.from(list, (x, i) => integer(x, i, -(2n ** 63n), 2n ** 63n - 1n));
    case "uint8":
      return Uint8Array.from(list, (x, i) => Number(integer(x, i, 0n, 255n)));
    case "bool":
      return Uint8Array.from(list, (x, i) => (x === true || x === 1 ? 1 : x === false || x === 0 ? 0 : bad(i, "true or false")));
  }
}

/** The elements as a plain list: numbers, bigints for INT64, booleans for BOOL. */
export function listOf(values: TensorValues, type: TensorDataType): WireElement[] {
  if (type === "bool") return Array.from(values as Uint8Array, (x) => x !== 0);
  if (type === "int64") return Array.from(values as BigInt64Array);
  return Array.from(values as ArrayLike<number>);
}
