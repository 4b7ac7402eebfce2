import type { JsonValue } from "@bufbuild/protobuf";
import { invalidField } from "@modelrouter/errors";
import type { SeriesSpec } from "@modelrouter/syntax";
import { ELEMENT_BYTES, formatShape } from "../model-input.js";
import type { TensorPayload } from "../worker-protocol.js";
import { describeJson, fieldPath } from "./json-values.js";

/** The samples a series model reads, still unchecked, and where they are in the request. */
export interface SeriesSamples {
  /** At most `spec.length` (the rest is never read). */
  readonly samples: readonly unknown[];
  readonly field: string;
}

/**
 * The samples of a record's field `spec.field` (the record an object, or a list holding one); `at` is where
 * the record is in the request (`payload.json`, or `payload.binary.data` for JSON sent as bytes).
 *
 * @throws DomainError INVALID_FIELD naming the record or the field when there is no such record or the field
 *   is not a list.
 */
export function recordSamples(record: JsonValue, spec: SeriesSpec, at = "payload.json"): SeriesSamples {
  const row = Array.isArray(record) && record.length === 1 ? record[0] : record;
  const base = row === record ? at : `${at}[0]`;
  if (typeof row !== "object" || row === null || Array.isArray(row)) {
    throw invalidField(at, `is ${describeJson(record)}: send one record, a JSON object with the signal in "${spec.field}"`);
  }
  const field = fieldPath(base, spec.field);
  const value = Object.hasOwn(row, spec.field) ? row[spec.field] : undefined;
  if (!Array.isArray(value)) {
    const is = value === undefined ? "missing" : describeJson(value);
    throw invalidField(field, `is ${is}: send the signal as a list of numbers, for example [0.1, 0.4, 0.2]`);
  }
  return { samples: value.slice(0, spec.length), field };
}

/**
 * The first `spec.length` elements of a one-dimensional tensor payload (already checked by `checkTensor`), as
 * numbers (INT64 values beyond 2^53 lose precision).
 *
 * @throws DomainError INVALID_FIELD naming `payload.tensor.shape` when the tensor has more than one dimension.
 */
export function tensorSamples(tensor: TensorPayload, spec: SeriesSpec): SeriesSamples {
  if (tensor.shape.length !== 1) {
    throw invalidField("payload.tensor.shape", `is ${formatShape(tensor.shape)}: send the signal as a one-dimensional tensor [n]`);
  }
  const count = Math.min(tensor.shape[0] ?? 0, spec.length);
  const field = tensor.rawData.length > 0 ? "payload.tensor.raw_data" : tensor.floatData.length > 0 ? "payload.tensor.float_data" : "payload.tensor.int_data";
  if (tensor.rawData.length === 0) {
    const list = tensor.floatData.length > 0 ? tensor.floatData : tensor.intData.slice(0, count).map(Number);
    return { samples: list.slice(0, count), field };
  }
  const view = new DataView(tensor.rawData.buffer, tensor.rawData.byteOffset, tensor.rawData.byteLength);
  const size = ELEMENT_BYTES[tensor.dataType];
  const read = (i: number): number => {
    const at = i * size;
    switch (tensor.dataType) {
      case "float32":
        return view.getFloat32(at, true);
      case "float64":
        return view.getFloat64(at, true);
      case "int32":
        return view.getInt32(at, true);
      case "int64":
        return Number(view.getBigInt64(at, true));
      case "uint8":
      case "bool":
        return view.getUint8(at);
    }
  };
  return { samples: Array.from({ length: count }, (_, i) => read(i)), field };
}
