import { DomainError, ErrorReason } from "@modelrouter/errors";
import { ELEMENT_TYPES } from "@modelrouter/syntax";
import { checkBoolBytes, valuesFromLittleEndian } from "./tensor-bytes.js";
import type { TensorDataType, TensorPayload, TensorValues } from "./worker-protocol.js";

/** Bytes per element of each tensor type in `raw_data` (from `@modelrouter/syntax`'s element types). */
export const ELEMENT_BYTES = Object.fromEntries(
  Object.values(ELEMENT_TYPES).flatMap((element) => (element === undefined ? [] : [[element.type, element.bytes]])),
) as Readonly<Record<TensorDataType, number>>;

/** What a model says about one of its inputs; `type` and `shape` are absent for non-tensor inputs. */
export interface InputInfo {
  readonly name: string;
  /** ONNX Runtime's type name, for example "float32". */
  readonly type?: string;
  /** Dimensions; a string is a symbolic (free) dimension. Empty: a scalar or an unknown rank. */
  readonly shape?: readonly (number | string)[];
}

/** A tensor ready to be fed: its type, its elements and its dimensions. */
export interface FeedTensor {
  readonly type: TensorDataType;
  readonly data: TensorValues;
  readonly dims: readonly number[];
}

/** Formats a shape as "[1, 'batch', 784]" for messages. */
export function formatShape(shape: readonly (number | string)[]): string {
  return `[${shape.map((d) => (typeof d === "number" ? String(d) : d === "" ? "?" : d)).join(", ")}]`;
}

/** Says what a model input takes, for example "float32 [1, 784]". */
export function describeInput(info: InputInfo): string {
  if (info.type === undefined) return "a non-tensor value";
  return `${info.type} ${formatShape(info.shape ?? [])}`;
}

/**
 * The dimensions to feed `dims` (a tensor's shape) with to the input `info`, or undefined when it does not
 * fit: the same rank with every fixed dimension equal; or, for an input whose dimensions are all fixed, the
 * same element count (the tensor is reshaped to the input's shape, for example [784] → [1, 784]).
 */
export function fitDims(dims: readonly number[], info: InputInfo): readonly number[] | undefined {
  const shape = info.shape ?? [];
  if (shape.length === 0) return dims;
  const fixed = shape.every((d) => typeof d === "number");
  if (fixed) {
    const want = (shape as number[]).reduce((n, d) => n * d, 1);
    const have = dims.reduce((n, d) => n * d, 1);
    return want === have ? (shape as number[]) : undefined;
  }
  if (shape.length !== dims.length) return undefined;
  return shape.every((d, i) => typeof d !== "number" || d === dims[i]) ? dims : undefined;
}

/**
 * Converts a tensor payload (already checked by `checkTensor`: its elements fit their type) to the typed
 * array the model input takes, checking its type and shape against the input. `raw_data` is read
 * little-endian; otherwise `float_data` or `int_data`.
 *
 * @throws DomainError PAYLOAD_UNSUPPORTED naming `payload.tensor.data_type` or `payload.tensor.shape` when the
 *   type or shape does not fit, saying what the input takes; INVALID_FIELD when a raw BOOL element is not 0 or 1.
 */
export function tensorFeed(payload: TensorPayload, info: InputInfo, modelRef: string): FeedTensor {
  const takes = `model ${modelRef} input "${info.name}" takes ${describeInput(info)}`;
  const unsupported = (field: string, is: string, problem: string): DomainError =>
    new DomainError(ErrorReason.PAYLOAD_UNSUPPORTED, `${takes}; ${problem}`, {
      metadata: { input: info.name, expects: describeInput(info) },
      violations: [{ field, description: `is ${is}, but ${takes}: send a tensor it takes` }],
    });
  if (info.type !== undefined && info.type !== payload.dataType) {
    throw unsupported("payload.tensor.data_type", payload.dataType, `the payload tensor is ${payload.dataType}`);
  }
  const dims = fitDims(payload.shape, info);
  const shape = formatShape(payload.shape);
  if (dims === undefined) throw unsupported("payload.tensor.shape", shape, `the payload tensor has shape ${shape}`);
  return { type: payload.dataType, data: tensorValues(payload), dims };
}

function tensorValues(payload: TensorPayload): TensorValues {
  const type = payload.dataType;
  if (payload.rawData.length > 0) {
    if (type === "bool") checkBoolBytes(payload.rawData, "payload.tensor.raw_data");
    return valuesFromLittleEndian(payload.rawData, type);
  }
  switch (type) {
    case "float32":
      return Float32Array.from(payload.floatData);
    case "float64":
      return Float64Array.from(payload.floatData);
    case "int64":
      return BigInt64Array.from(payload.intData);
    case "int32":
      return Int32Array.from(payload.intData, Number);
    case "uint8":
    case "bool":
      return Uint8Array.from(payload.intData, Number);
  }
}
