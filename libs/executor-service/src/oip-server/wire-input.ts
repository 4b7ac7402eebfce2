import { invalidField } from "@modelrouter/errors";
import { EXECUTOR_TENSOR_LIMITS } from "../tensor-payload.js";
import type { TensorDataType, TensorValues } from "../worker-protocol.js";
import { SUPPORTED_DATATYPES, elementTypeOf } from "../oip-datatypes.js";
import { type OipTensor, elementCount } from "./oip-tensor.js";

/** An input tensor's header as a wire carries it, before its elements are read. */
export interface WireInput {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly (number | bigint)[];
}

/** Reads the elements of an input whose datatype and shape are checked: `count` elements of `type`. */
export type ElementReader = (type: TensorDataType, count: number) => TensorValues;

/**
 * Checks an input's header (a supported datatype; a shape of at most 32 non-negative integer dimensions and
 * 64 Mi elements), then reads its elements with `read`.
 *
 * @throws DomainError INVALID_FIELD naming `field.datatype` (listing the supported datatypes) or `field.shape`,
 *   or whatever `read` throws.
 */
export function decodeWireInput(input: WireInput, field: string, read: ElementReader): OipTensor {
  const type = elementTypeOf(input.datatype);
  if (type === undefined) {
    throw invalidField(`${field}.datatype`, `is ${JSON.stringify(input.datatype)}, which this server does not take; use one of ${SUPPORTED_DATATYPES.join(", ")}`);
  }
  const { maxRank, maxElements } = EXECUTOR_TENSOR_LIMITS;
  if (input.shape.length > maxRank) throw invalidField(`${field}.shape`, `has ${input.shape.length} dimensions; at most ${maxRank} are allowed`);
  const shape = input.shape.map((d, i) => {
    const n = Number(d);
    if (!Number.isSafeInteger(n) || n < 0) throw invalidField(`${field}.shape[${i}]`, `is ${String(d)}; a dimension is an integer of at least 0`);
    return n;
  });
  const count = elementCount(shape);
  if (count > maxElements) throw invalidField(`${field}.shape`, `makes ${count} elements; at most ${maxElements} are allowed`);
  return { name: input.name, type, shape, values: read(type, count) };
}
