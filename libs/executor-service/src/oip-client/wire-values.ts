import { ELEMENT_BYTES } from "../model-input.js";
import { valuesFromLittleEndian } from "../tensor-bytes.js";
import type { TensorDataType, TensorValues } from "../worker-protocol.js";

/** Typed elements of `type` from numbers, booleans or bigints (as JSON or typed contents hold them). */
export function valuesOf(type: TensorDataType, items: ArrayLike<number | bigint | boolean>): TensorValues {
  switch (type) {
    case "float32":
      return Float32Array.from(items as ArrayLike<number>, Number);
    case "float64":
      return Float64Array.from(items as ArrayLike<number>, Number);
    case "int32":
      return Int32Array.from(items as ArrayLike<number>, Number);
    case "int64":
      return BigInt64Array.from(items as ArrayLike<number>, (x) => BigInt(x));
    case "uint8":
    case "bool":
      return Uint8Array.from(items as ArrayLike<number>, Number);
  }
}

/** The elements of a little-endian raw buffer, or undefined when its length is not a whole number of elements. */
export function valuesOfRaw(type: TensorDataType, raw: Uint8Array): TensorValues | undefined {
  return raw.byteLength % ELEMENT_BYTES[type] === 0 ? valuesFromLittleEndian(raw, type) : undefined;
}

/** Plain JSON numbers of typed elements (int64 as numbers, as OIP's JSON carries them). */
export function jsonNumbers(values: TensorValues): number[] {
  return Array.from(values as ArrayLike<number | bigint>, Number);
}
