import { DataType, type Tensor } from "@modelrouter/contracts";
import { type FieldViolation, Violations } from "@modelrouter/errors";
import { ELEMENT_BYTES } from "./model-input.js";
import { ownBytes, type TensorDataType, type TensorPayload } from "./worker-protocol.js";

/** The most elements a tensor payload may hold. */
export const MAX_TENSOR_ELEMENTS = 64 * 1024 * 1024;

const dataTypes: Readonly<Record<number, TensorDataType>> = {
  [DataType.FLOAT32]: "float32",
  [DataType.FLOAT64]: "float64",
  [DataType.INT32]: "int32",
  [DataType.INT64]: "int64",
  [DataType.UINT8]: "uint8",
  [DataType.BOOL]: "bool",
};

/** The proto `DataType` of a tensor type. */
export function protoDataType(type: TensorDataType): DataType {
  switch (type) {
    case "float32":
      return DataType.FLOAT32;
    case "float64":
      return DataType.FLOAT64;
    case "int32":
      return DataType.INT32;
    case "int64":
      return DataType.INT64;
    case "uint8":
      return DataType.UINT8;
    case "bool":
      return DataType.BOOL;
  }
}

/**
 * Checks a tensor payload's structure (a known type, dimensions of at least 1, exactly one data field holding
 * as many elements as the shape says) and returns it as plain data, or every problem with its path relative
 * to the `Tensor` message. Whether the model takes it is checked later, against the model's input.
 */
export function compileTensorPayload(
  tensor: Tensor,
): { readonly payload: TensorPayload } | { readonly violations: readonly FieldViolation[] } {
  const v = new Violations();
  const dataType = dataTypes[tensor.dataType];
  if (dataType === undefined) v.add("data_type", "is required: DATA_TYPE_FLOAT32, FLOAT64, INT32, INT64, UINT8 or BOOL");
  tensor.shape.forEach((dim, i) => {
    if (dim < 1) v.add(`shape[${i}]`, "must be at least 1");
  });
  const count = tensor.shape.reduce((n, dim) => n * dim, 1);
  if (count > MAX_TENSOR_ELEMENTS) v.add("shape", `describes ${count} elements, more than the limit of ${MAX_TENSOR_ELEMENTS}`);
  const filled = [
    tensor.floatData.length > 0 ? "float_data" : undefined,
    tensor.intData.length > 0 ? "int_data" : undefined,
    tensor.rawData.length > 0 ? "raw_data" : undefined,
  ].filter((x): x is string => x !== undefined);
  if (filled.length > 1) v.add(filled[1] ?? "", `must be empty when ${filled[0] ?? ""} is set: give the elements once`);
  if (dataType !== undefined && v.empty) checkData(tensor, dataType, count, filled[0], v);
  if (!v.empty || dataType === undefined) return { violations: v.items };
  return {
    payload: {
      dataType,
      shape: [...tensor.shape],
      floatData: tensor.floatData,
      intData: tensor.intData,
      rawData: ownBytes(tensor.rawData),
    },
  };
}

function checkData(tensor: Tensor, type: TensorDataType, count: number, field: string | undefined, v: Violations): void {
  const shape = `[${tensor.shape.join(", ")}]`;
  const isFloat = type === "float32" || type === "float64";
  switch (field) {
    case undefined:
      v.add(isFloat ? "float_data" : "int_data", `must hold the ${count} elements of shape ${shape} (or use raw_data)`);
      return;
    case "float_data":
      if (!isFloat) v.add("float_data", `is for FLOAT32 and FLOAT64 tensors: put ${type} elements in int_data or raw_data`);
      else if (tensor.floatData.length !== count) {
        v.add("float_data", `holds ${tensor.floatData.length} elements, but shape ${shape} needs ${count}`);
      }
      return;
    case "int_data":
      if (isFloat) v.add("int_data", `is for integer and bool tensors: put ${type} elements in float_data or raw_data`);
      else if (tensor.intData.length !== count) {
        v.add("int_data", `holds ${tensor.intData.length} elements, but shape ${shape} needs ${count}`);
      }
      return;
    default: {
      const bytes = count * ELEMENT_BYTES[type];
      if (tensor.rawData.length !== bytes) {
        v.add("raw_data", `holds ${tensor.rawData.length} bytes, but ${count} ${type} elements of shape ${shape} take ${bytes}`);
      }
    }
  }
}
