import type { TensorDataType } from "./worker-protocol.js";

/** The Open Inference Protocol datatypes the executor takes and returns, by the element type they hold. */
const ELEMENT_OF_DATATYPE: Readonly<Record<string, TensorDataType>> = {
  BOOL: "bool",
  UINT8: "uint8",
  INT32: "int32",
  INT64: "int64",
  FP32: "float32",
  FP64: "float64",
};

/** ONNX Runtime's tensor type names and their OIP datatypes, including the ones the executor cannot exchange. */
const DATATYPE_OF_ONNX_TYPE: Readonly<Record<string, string>> = {
  bool: "BOOL",
  uint8: "UINT8",
  uint16: "UINT16",
  uint32: "UINT32",
  uint64: "UINT64",
  int8: "INT8",
  int16: "INT16",
  int32: "INT32",
  int64: "INT64",
  float16: "FP16",
  float32: "FP32",
  float64: "FP64",
  string: "BYTES",
};

/** The OIP datatypes the executor reads and writes: BOOL, UINT8, INT32, INT64, FP32, FP64. */
export const SUPPORTED_DATATYPES: readonly string[] = Object.keys(ELEMENT_OF_DATATYPE);

/** The element type of an OIP datatype ("FP32" → "float32"); undefined for one the executor does not take (FP16, BYTES, …). */
export function elementTypeOf(datatype: string): TensorDataType | undefined {
  return Object.hasOwn(ELEMENT_OF_DATATYPE, datatype) ? ELEMENT_OF_DATATYPE[datatype] : undefined;
}

/**
 * The OIP datatype of an ONNX Runtime tensor type ("float32" → "FP32", "string" → "BYTES"), supported by the
 * executor or not (see {@link elementTypeOf}); undefined for a type OIP has no name for.
 */
export function oipDatatypeOf(type: string): string | undefined {
  return Object.hasOwn(DATATYPE_OF_ONNX_TYPE, type) ? DATATYPE_OF_ONNX_TYPE[type] : undefined;
}

/** The OIP datatype of an element type ("float32" → "FP32"). */
export function datatypeOfElement(type: TensorDataType): string {
  return oipDatatypeOf(type) ?? type.toUpperCase();
}
