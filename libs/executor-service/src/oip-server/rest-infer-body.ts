import { invalidField } from "@modelrouter/errors";
import { datatypeOfElement } from "../oip-datatypes.js";
import type { OipInferRequest, OipInferResult } from "./oip-endpoint.js";
import { type WireElement, listOf, valuesFromList, valuesFromRaw } from "./oip-tensor.js";
import { decodeWireInput } from "./wire-input.js";
import { littleEndianOf } from "../tensor-bytes.js";

/** The header of the binary tensor extension: the byte length of the JSON part of a body. */
export const HEADER_LENGTH_HEADER = "inference-header-content-length";

/** A decoded REST inference request, with which outputs go back as binary data. */
export interface RestInferRequest {
  readonly request: OipInferRequest;
  /** Per requested output, its `parameters.binary_data` when given: whether it goes back as binary data. */
  readonly binaryOutputs: ReadonlyMap<string, boolean>;
  /** The request's `parameters.binary_data_output`: whether outputs without `binary_data` go back as binary data. */
  readonly allBinary: boolean;
}

/** A REST response body: its bytes, and the JSON part's length when binary data follows it. */
export interface RestBody {
  readonly bytes: Uint8Array;
  /** Set when binary output data follows the JSON: the value of `Inference-Header-Content-Length`. */
  readonly headerLength?: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Decodes an infer request body: JSON, or with the binary tensor extension the JSON's first `headerLength`
 * bytes followed by the inputs' raw little-endian elements (each input with `parameters.binary_data_size`
 * takes that many bytes, in input order). `data` may be flat or nested (row-major).
 *
 * @throws DomainError INVALID_FIELD naming the field: a body that is not JSON or not an object, a header
 *   length beyond the body, an input without `data` or `binary_data_size`, binary sizes that do not add up to
 *   the binary part, and what `decodeWireInput` and the element readers name.
 */
export function decodeRestInfer(body: Uint8Array, headerLength: number | undefined, model: { name: string; version: string }): RestInferRequest {
  const jsonLength = headerLength ?? body.byteLength;
  if (jsonLength > body.byteLength) {
    throw invalidField("Inference-Header-Content-Length", `is ${jsonLength}, but the body has only ${body.byteLength} bytes: give the JSON part's length`);
  }
  const json = parseJson(body.subarray(0, jsonLength));
  if (!isObject(json)) throw invalidField("body", "must be a JSON object with \"inputs\"");
  const inputs = json["inputs"];
  if (!Array.isArray(inputs) || inputs.length === 0) throw invalidField("inputs", "is required: a non-empty list of {name, shape, datatype, data}");
  let offset = jsonLength;
  const tensors = inputs.map((input, i) => {
    const field = `inputs[${i}]`;
    if (!isObject(input)) throw invalidField(field, "must be an object {name, shape, datatype, data}");
    const name = stringField(input, "name", field);
    const datatype = stringField(input, "datatype", field);
    const shape = input["shape"];
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === "number")) throw invalidField(`${field}.shape`, "must be a list of integers, such as [1, 784]");
    const binarySize = parameters(input, field)["binary_data_size"];
    return decodeWireInput({ name, datatype, shape: shape as number[] }, field, (type, count) => {
      if (binarySize !== undefined) {
        if (typeof binarySize !== "number" || !Number.isSafeInteger(binarySize) || binarySize < 0) {
          throw invalidField(`${field}.parameters.binary_data_size`, "must be a byte count (an integer of at least 0)");
        }
        if (offset + binarySize > body.byteLength) {
          throw invalidField(`${field}.parameters.binary_data_size`, `is ${binarySize}, but only ${body.byteLength - offset} bytes of binary data are left in the body`);
        }
        const bytes = body.subarray(offset, offset + binarySize);
        offset += binarySize;
        return valuesFromRaw(bytes, type, count, `${field}.parameters.binary_data_size`);
      }
      const data = input["data"];
      if (!Array.isArray(data)) throw invalidField(`${field}.data`, "is required (a flat or nested list of elements), or binary data with parameters.binary_data_size");
      const flat = flatten(data);
      if (flat.length !== count) throw invalidField(`${field}.data`, `has ${flat.length} elements, but shape [${shape.join(", ")}] needs ${count}`);
      if (!flat.every((x): x is number | boolean => typeof x === "number" || typeof x === "boolean")) {
        throw invalidField(`${field}.data`, `must hold only numbers or booleans for ${datatype}`);
      }
      return valuesFromList(flat as WireElement[], type, `${field}.data`);
    });
  });
  if (offset !== body.byteLength) {
    throw invalidField("Inference-Header-Content-Length", `leaves ${body.byteLength - offset} bytes of binary data that no input's parameters.binary_data_size claims`);
  }
  const requested = json["outputs"] ?? [];
  if (!Array.isArray(requested)) throw invalidField("outputs", "must be a list of {name, parameters}");
  const binaryOutputs = new Map<string, boolean>();
  const outputs = requested.map((output, i) => {
    const field = `outputs[${i}]`;
    if (!isObject(output)) throw invalidField(field, "must be an object {name, parameters}");
    const name = stringField(output, "name", field);
    const binary = parameters(output, field)["binary_data"];
    if (binary !== undefined && typeof binary !== "boolean") throw invalidField(`${field}.parameters.binary_data`, "must be true or false");
    if (typeof binary === "boolean") binaryOutputs.set(name, binary);
    return name;
  });
  const id = json["id"] ?? "";
  if (typeof id !== "string") throw invalidField("id", "must be a string");
  return {
    request: { modelName: model.name, modelVersion: model.version, id, inputs: tensors, outputs },
    binaryOutputs,
    allBinary: parameters(json, "")["binary_data_output"] === true,
  };
}

/**
 * Encodes an infer answer: outputs as JSON `data`, except the binary ones (an output's `binary_data`, else the
 * request's `binary_data_output`),
 * whose raw little-endian elements follow the JSON in output order, each announced by
 * `parameters.binary_data_size`.
 */
export function encodeRestInfer(result: OipInferResult, binary: Pick<RestInferRequest, "binaryOutputs" | "allBinary">): RestBody {
  const tails: Uint8Array[] = [];
  const outputs = result.outputs.map((output) => {
    const head = { name: output.name, datatype: datatypeOfElement(output.type), shape: [...output.shape] };
    if (binary.binaryOutputs.get(output.name) ?? binary.allBinary) {
      const bytes = littleEndianOf(output.values);
      tails.push(bytes);
      return { ...head, parameters: { binary_data_size: bytes.byteLength } };
    }
    return { ...head, data: listOf(output.values, output.type).map((x) => (typeof x === "bigint" ? Number(x) : x)) };
  });
  const json = new TextEncoder().encode(
    JSON.stringify({ model_name: result.modelName, model_version: result.modelVersion, id: result.id, outputs }),
  );
  if (tails.length === 0) return { bytes: json };
  return { bytes: Buffer.concat([json, ...tails]), headerLength: json.byteLength };
}

/** The leaves of a nested list, row-major. */
function flatten(data: readonly Json[]): Json[] {
  const out: Json[] = [];
  const walk = (items: readonly Json[]): void => {
    for (const item of items) {
      if (Array.isArray(item)) walk(item);
      else out.push(item);
    }
  };
  walk(data);
  return out;
}

function parseJson(bytes: Uint8Array): Json {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as Json;
  } catch (error) {
    throw invalidField("body", `is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

function stringField(object: { [key: string]: Json }, key: string, field: string): string {
  const value = object[key];
  if (typeof value !== "string" || value === "") throw invalidField(`${field}.${key}`, "is required: a non-empty string");
  return value;
}

function parameters(object: { [key: string]: Json }, field: string): { [key: string]: Json } {
  const value = object["parameters"];
  if (value === undefined) return {};
  if (!isObject(value)) throw invalidField(field === "" ? "parameters" : `${field}.parameters`, "must be an object");
  return value;
}
