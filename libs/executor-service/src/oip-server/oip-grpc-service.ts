import { create } from "@bufbuild/protobuf";
import {
  type GRPCInferenceService,
  type InferTensorContents,
  InferTensorContentsSchema,
  type ModelInferRequest,
  ModelInferResponseSchema,
  ModelMetadataResponseSchema,
  ModelReadyResponseSchema,
  ServerLiveResponseSchema,
  ServerMetadataResponseSchema,
  ServerReadyResponseSchema,
} from "@modelrouter/contracts";
import { invalidField } from "@modelrouter/errors";
import type { ServiceImpl } from "@modelrouter/rpc-kit";
import type { TensorDataType } from "../worker-protocol.js";
import { datatypeOfElement } from "../oip-datatypes.js";
import type { OipEndpoint, OipInferRequest } from "./oip-endpoint.js";
import { type OipTensor, type WireElement, listOf, valuesFromList, valuesFromRaw } from "./oip-tensor.js";
import { decodeWireInput } from "./wire-input.js";
import { littleEndianOf } from "../tensor-bytes.js";

/** Dependencies of {@link createOipGrpcService}. */
export interface OipGrpcServiceOptions {
  /** The OIP operations (see `createOipEndpoint`). */
  readonly endpoint: OipEndpoint;
}

/** The `InferTensorContents` field each element type travels in, as the proto names it and as generated. */
const CONTENTS_FIELD: Readonly<Record<TensorDataType, { readonly proto: string; readonly key: keyof InferTensorContents }>> = {
  bool: { proto: "bool_contents", key: "boolContents" },
  uint8: { proto: "uint_contents", key: "uintContents" },
  int32: { proto: "int_contents", key: "intContents" },
  int64: { proto: "int64_contents", key: "int64Contents" },
  float32: { proto: "fp32_contents", key: "fp32Contents" },
  float64: { proto: "fp64_contents", key: "fp64Contents" },
};

/**
 * The `inference.GRPCInferenceService` handlers (the Open Inference Protocol v2 over gRPC) on an OIP endpoint:
 * inputs in typed `contents` or in `raw_input_contents` (little-endian, one entry per input), outputs in
 * typed contents, or in `raw_output_contents` when the request used raw inputs. Errors are domain errors,
 * hence gRPC statuses: NOT_FOUND for a model not served, INVALID_ARGUMENT naming the field, UNAVAILABLE,
 * RESOURCE_EXHAUSTED (load shedding), DEADLINE_EXCEEDED.
 */
export function createOipGrpcService(options: OipGrpcServiceOptions): ServiceImpl<typeof GRPCInferenceService> {
  const { endpoint } = options;
  return {
    serverLive: async () => create(ServerLiveResponseSchema, { live: endpoint.live() }),
    serverReady: async () => create(ServerReadyResponseSchema, { ready: endpoint.ready() }),
    serverMetadata: async () => {
      const { name, version, extensions } = endpoint.serverMetadata();
      return create(ServerMetadataResponseSchema, { name, version, extensions: [...extensions] });
    },
    modelReady: async (request) => create(ModelReadyResponseSchema, { ready: await endpoint.modelReady(request.name, request.version) }),
    async modelMetadata(request) {
      const metadata = await endpoint.modelMetadata(request.name, request.version);
      const tensor = (t: OipModelTensor): { name: string; datatype: string; shape: bigint[] } => ({
        name: t.name,
        datatype: t.datatype,
        shape: t.shape.map(BigInt),
      });
      return create(ModelMetadataResponseSchema, {
        name: metadata.name,
        versions: [...metadata.versions],
        platform: metadata.platform,
        inputs: metadata.inputs.map(tensor),
        outputs: metadata.outputs.map(tensor),
      });
    },
    async modelInfer(request, ctx) {
      const raw = request.rawInputContents.length > 0;
      const result = await endpoint.infer(decodeRequest(request), { deadline: ctx.deadline, signal: ctx.signal });
      return create(ModelInferResponseSchema, {
        modelName: result.modelName,
        modelVersion: result.modelVersion,
        id: result.id,
        outputs: result.outputs.map((output) => ({
          name: output.name,
          datatype: datatypeOfElement(output.type),
          shape: output.shape.map(BigInt),
          ...(raw ? {} : { contents: contentsOf(output) }),
        })),
        rawOutputContents: raw ? result.outputs.map((output) => littleEndianOf(output.values)) : [],
      });
    },
  };
}

type OipModelTensor = Awaited<ReturnType<OipEndpoint["modelMetadata"]>>["inputs"][number];

/**
 * The protocol-neutral request of a `ModelInferRequest`.
 *
 * @throws DomainError INVALID_FIELD naming `raw_input_contents` when it has not one entry per input or an
 *   input also has `contents`, and the fields `decodeWireInput` and the element readers name.
 */
export function decodeRequest(request: ModelInferRequest): OipInferRequest {
  const raw = request.rawInputContents;
  if (raw.length > 0 && raw.length !== request.inputs.length) {
    throw invalidField("raw_input_contents", `has ${raw.length} entries, but the request has ${request.inputs.length} inputs: give one entry per input, in order`);
  }
  const inputs = request.inputs.map((input, i) => {
    const field = `inputs[${i}]`;
    return decodeWireInput(input, field, (type, count) => {
      const bytes = raw[i];
      if (bytes !== undefined) {
        if (input.contents !== undefined) throw invalidField(`${field}.contents`, "must be empty when raw_input_contents is used: send each input one way");
        return valuesFromRaw(bytes, type, count, `raw_input_contents[${i}]`);
      }
      const { proto, key } = CONTENTS_FIELD[type];
      const list = (input.contents?.[key] ?? []) as WireElement[];
      if (list.length !== count) {
        throw invalidField(
          `${field}.contents.${proto}`,
          `has ${list.length} elements, but shape [${input.shape.join(", ")}] needs ${count}: ${input.datatype} elements go in ${proto}`,
        );
      }
      return valuesFromList(list, type, `${field}.contents.${proto}`);
    });
  });
  return {
    modelName: request.modelName,
    modelVersion: request.modelVersion,
    id: request.id,
    inputs,
    outputs: request.outputs.map((output) => output.name),
  };
}

function contentsOf(tensor: OipTensor): InferTensorContents {
  const { key } = CONTENTS_FIELD[tensor.type];
  return create(InferTensorContentsSchema, { [key]: listOf(tensor.values, tensor.type) });
}
