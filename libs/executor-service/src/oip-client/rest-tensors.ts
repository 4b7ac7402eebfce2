import { Code } from "@modelrouter/rpc-kit";
import type { TensorValues } from "../worker-protocol.js";
import { elementTypeOf } from "../oip-datatypes.js";
import { littleEndianOf } from "../tensor-bytes.js";
import { jsonNumbers, valuesOf, valuesOfRaw } from "./wire-values.js";
import { oipError } from "./oip-errors.js";
import type { OipInferRequest, OipModelMetadata, OipTensor, OipTensorMetadata } from "./oip-types.js";

/** The header of the binary tensor extension: the length of the JSON part of the body. */
export const INFERENCE_HEADER = "Inference-Header-Content-Length";

/**
 * The body and headers of `POST …/infer`: JSON `{"inputs": [{name, shape, datatype, data}], "outputs": [{name}]}`;
 * with `binary`, the input's elements follow the JSON as little-endian bytes (`parameters.binary_data_size`, the
 * `Inference-Header-Content-Length` header) and the output is asked for as binary data.
 */
export function encodeInferRequest(request: OipInferRequest, binary: boolean): { bytes: Uint8Array; headers: Record<string, string> } {
  const { input } = request;
  const output = request.outputName === "" ? [] : [{ name: request.outputName, ...(binary ? { parameters: { binary_data: true } } : {}) }];
  const outputs = binary && output.length === 0 ? undefined : output;
  const raw = binary ? littleEndianOf(input.data) : undefined;
  const header = {
    inputs: [
      {
        name: input.name,
        shape: input.shape,
        datatype: input.datatype,
        ...(raw === undefined ? { data: jsonData(input.data, input.datatype) } : { parameters: { binary_data_size: raw.byteLength } }),
      },
    ],
    ...(outputs === undefined || outputs.length === 0 ? (binary ? { parameters: { binary_data_output: true } } : {}) : { outputs }),
  };
  const json = Buffer.from(JSON.stringify(header), "utf8");
  if (raw === undefined) return { bytes: json, headers: { "content-type": "application/json" } };
  return {
    bytes: Buffer.concat([json, raw]),
    headers: { "content-type": "application/octet-stream", [INFERENCE_HEADER.toLowerCase()]: String(json.byteLength) },
  };
}

function jsonData(values: TensorValues, datatype: string): (number | boolean)[] {
  const numbers = jsonNumbers(values);
  return datatype === "BOOL" ? numbers.map((x) => x !== 0) : numbers;
}

interface JsonOutput {
  readonly name?: unknown;
  readonly datatype?: unknown;
  readonly shape?: unknown;
  readonly data?: unknown;
  readonly parameters?: { readonly binary_data_size?: unknown };
}

/**
 * The output tensor named `outputName` (or the first) of an infer answer: JSON, or JSON followed by binary
 * tensor data when `headerLength` (the `Inference-Header-Content-Length` header) is set.
 *
 * @throws RpcError INTERNAL naming the endpoint when the answer is malformed (not JSON, no such output, an
 *   unsupported datatype, data that does not fill the shape).
 */
export function decodeInferResponse(body: Buffer, headerLength: string | string[] | undefined, outputName: string, url: string): OipTensor {
  const malformed = (problem: string) => oipError(Code.INTERNAL, url, `its infer answer ${problem}`);
  const jsonLength = headerLength === undefined ? body.byteLength : Number(Array.isArray(headerLength) ? headerLength[0] : headerLength);
  if (!Number.isInteger(jsonLength) || jsonLength < 0 || jsonLength > body.byteLength) throw malformed(`has a bad ${INFERENCE_HEADER}`);
  let parsed: { outputs?: unknown };
  try {
    parsed = JSON.parse(body.subarray(0, jsonLength).toString("utf8")) as { outputs?: unknown };
  } catch {
    throw malformed("is not JSON");
  }
  const outputs = Array.isArray(parsed.outputs) ? (parsed.outputs as JsonOutput[]) : [];
  let offset = jsonLength;
  const binaryOf = new Map<JsonOutput, Uint8Array>();
  for (const output of outputs) {
    const size = output.parameters?.binary_data_size;
    if (typeof size !== "number") continue;
    if (offset + size > body.byteLength) throw malformed(`says output "${String(output.name)}" has ${size} binary bytes, more than were sent`);
    binaryOf.set(output, body.subarray(offset, offset + size));
    offset += size;
  }
  const chosen = outputs.find((o) => o.name === outputName) ?? (outputName === "" ? outputs[0] : undefined);
  if (chosen === undefined) throw malformed(outputName === "" ? "has no outputs" : `has no output "${outputName}"`);
  const name = String(chosen.name);
  const datatype = String(chosen.datatype);
  const type = elementTypeOf(datatype);
  if (type === undefined) throw malformed(`has output "${name}" of datatype ${datatype}, which the executor cannot read`);
  const shape = Array.isArray(chosen.shape) ? chosen.shape.map(Number) : [];
  const raw = binaryOf.get(chosen);
  const data = raw === undefined ? valuesOf(type, flatten(chosen.data) as number[]) : valuesOfRaw(type, raw);
  const count = shape.reduce((n, d) => n * d, 1);
  if (data === undefined || data.length !== count) throw malformed(`has output "${name}" whose data does not fill its shape [${shape.join(", ")}]`);
  return { name, datatype, shape, data };
}

function flatten(data: unknown): unknown[] {
  if (!Array.isArray(data)) return [];
  return data.flat(Infinity);
}

/**
 * The model metadata of a `GET /v2/models/{m}` answer.
 *
 * @throws RpcError INTERNAL when it lacks its inputs or outputs.
 */
export function readMetadata(body: unknown, url: string): OipModelMetadata {
  const value = (body ?? {}) as { name?: unknown; platform?: unknown; inputs?: unknown; outputs?: unknown };
  if (!Array.isArray(value.inputs) || !Array.isArray(value.outputs)) {
    throw oipError(Code.INTERNAL, url, "its model metadata has no inputs or outputs list");
  }
  return {
    name: String(value.name ?? ""),
    platform: String(value.platform ?? ""),
    inputs: value.inputs.map(tensorMetadata),
    outputs: value.outputs.map(tensorMetadata),
  };
}

function tensorMetadata(item: unknown): OipTensorMetadata {
  const t = (item ?? {}) as { name?: unknown; datatype?: unknown; shape?: unknown };
  return { name: String(t.name ?? ""), datatype: String(t.datatype ?? ""), shape: Array.isArray(t.shape) ? t.shape.map(Number) : [] };
}
