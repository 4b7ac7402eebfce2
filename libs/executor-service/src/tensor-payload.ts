import { DataType, type Tensor } from "@modelrouter/contracts";
import type { Violations } from "@modelrouter/errors";
import { ELEMENT_TYPES, type TensorLimits, checkTensor } from "@modelrouter/syntax";
import { ownBytes, type TensorDataType, type TensorPayload } from "./worker-protocol.js";

/** How large a tensor payload may be: 32 dimensions (as the analyzer allows), 64 Mi elements. */
export const EXECUTOR_TENSOR_LIMITS: TensorLimits = { maxRank: 32, maxElements: 64 * 1024 * 1024 };

const protoTypes: ReadonlyMap<TensorDataType, DataType> = new Map(
  Object.entries(ELEMENT_TYPES).flatMap(([value, element]) => (element === undefined ? [] : [[element.type, Number(value) as DataType]])),
);

/** The proto `DataType` of a tensor type. */
export function protoDataType(type: TensorDataType): DataType {
  return protoTypes.get(type) ?? DataType.UNSPECIFIED;
}

/**
 * Checks a tensor payload's structure with `@modelrouter/syntax`'s `checkTensor` (adding every problem to
 * `violations` under `path`, for example `payload.tensor.shape[1]`) and returns it as the plain data a worker
 * takes, or undefined when it is malformed. Whether the model takes it is checked later, against its input.
 */
export function compileTensorPayload(tensor: Tensor, path: string, violations: Violations): TensorPayload | undefined {
  const checked = checkTensor(tensor, path, violations, EXECUTOR_TENSOR_LIMITS);
  if (checked === undefined) return undefined;
  return {
    dataType: checked.element.type,
    shape: [...tensor.shape],
    floatData: tensor.floatData,
    intData: tensor.intData,
    rawData: ownBytes(tensor.rawData),
  };
}
