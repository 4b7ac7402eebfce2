import { invalidField } from "@modelrouter/errors";
import type { TensorDataType, TensorValues } from "./worker-protocol.js";

/**
 * The elements of `type` packed little-endian in `bytes` (raw tensor contents as ONNX, OIP and the binary
 * extension carry them). A trailing part of an element is ignored: callers check the byte count first.
 * BOOL bytes are copied as they are; see {@link checkBoolBytes}.
 */
export function valuesFromLittleEndian(bytes: Uint8Array, type: TensorDataType): TensorValues {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = (size: number): { length: number } => ({ length: Math.floor(bytes.byteLength / size) });
  switch (type) {
    case "float32":
      return Float32Array.from(count(4), (_, i) => view.getFloat32(i * 4, true));
    case "float64":
      return Float64Array.from(count(8), (_, i) => view.getFloat64(i * 8, true));
    case "int32":
      return Int32Array.from(count(4), (_, i) => view.getInt32(i * 4, true));
    case "int64":
      return BigInt64Array.from(count(8), (_, i) => view.getBigInt64(i * 8, true));
    case "uint8":
    case "bool":
      return Uint8Array.from(bytes);
  }
}

/** The typed elements packed little-endian, as raw tensor contents and the binary extension carry them. */
export function littleEndianOf(values: TensorValues): Uint8Array {
  const bytes = new Uint8Array(values.byteLength);
  const view = new DataView(bytes.buffer);
  if (values instanceof Float32Array) values.forEach((x, i) => view.setFloat32(i * 4, x, true));
  else if (values instanceof Float64Array) values.forEach((x, i) => view.setFloat64(i * 8, x, true));
  else if (values instanceof Int32Array) values.forEach((x, i) => view.setInt32(i * 4, x, true));
  else if (values instanceof BigInt64Array) values.forEach((x, i) => view.setBigInt64(i * 8, x, true));
  else bytes.set(values);
  return bytes;
}

/**
 * Checks that every byte of raw BOOL contents is 0 or 1.
 *
 * @throws DomainError INVALID_FIELD naming `field[i]` for the first byte that is neither.
 */
export function checkBoolBytes(bytes: Uint8Array, field: string): void {
  const i = bytes.findIndex((x) => x > 1);
  if (i >= 0) throw invalidField(`${field}[${i}]`, `is the byte ${bytes[i]}, which is not a BOOL: use 0 or 1`);
}
