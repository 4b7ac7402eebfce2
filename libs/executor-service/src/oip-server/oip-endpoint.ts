import { DomainError, ErrorReason, invalidField, isDomainError, Violations } from "@modelrouter/errors";
import { MODELROUTER_VERSION } from "@modelrouter/host";
import type { Logger } from "@modelrouter/telemetry";
import { modelSource } from "../inference-plan.js";
import type { WorkerPool } from "../worker-pool.js";
import type { InferenceTask, ModelSource, TaskOutput } from "../worker-protocol.js";
import type { ModelSignature, SignatureReader, TensorSignature } from "./model-signature.js";
import { datatypeOfElement, elementTypeOf } from "../oip-datatypes.js";
import type { OipModels, ServedVersion } from "./oip-models.js";
import { type OipTensor } from "./oip-tensor.js";
import { littleEndianOf } from "../tensor-bytes.js";

/** The platform OIP metadata names for every model the executor serves. */
export const OIP_PLATFORM = "onnxruntime_onnx";

/** The OIP extensions the executor supports (the binary tensor extension, on REST). */
export const OIP_EXTENSIONS: readonly string[] = ["binary_tensor_data"];

/** What OIP server metadata says. */
export interface OipServerMetadata {
  readonly name: string;
  readonly version: string;
  readonly extensions: readonly string[];
}

/** What OIP model metadata says: -1 in a shape is a dynamic dimension. */
export interface OipModelMetadata {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: string;
  readonly inputs: readonly { name: string; datatype: string; shape: readonly number[] }[];
  readonly outputs: readonly { name: string; datatype: string; shape: readonly number[] }[];
}

/** An inference request, decoded from its wire form: one input tensor per model input. */
export interface OipInferRequest {
  readonly modelName: string;
  /** Empty: the model's highest served version. */
  readonly modelVersion: string;
  readonly id: string;
  readonly inputs: readonly OipTensor[];
  /** The outputs to return, by name; empty: every output. */
  readonly outputs: readonly string[];
}

/** The answer to an {@link OipInferRequest}. */
export interface OipInferResult {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly id: string;
  readonly outputs: readonly OipTensor[];
}

/** The deadline and cancellation of one call. */
export interface OipCall {
  /** Epoch milliseconds; `Infinity` for none. */
  readonly deadline: number;
  readonly signal?: AbortSignal;
}

/** The Open Inference Protocol v2 operations, whatever the wire (gRPC or REST). */
export interface OipEndpoint {
  live(): boolean;
  /** The executor's readiness: its workers started and it is not shutting down. */
  ready(): boolean;
  serverMetadata(): OipServerMetadata;
  /** True when the version is served and its model file loads; false otherwise (never throws). */
  modelReady(name: string, version: string): Promise<boolean>;
  /** @throws DomainError MODEL_NOT_FOUND when the version is not served; MODEL_UNAVAILABLE when its file does not load. */
  modelMetadata(name: string, version: string): Promise<OipModelMetadata>;
  /**
   * Runs the model's raw tensor through the worker pool (its queues, load shedding and deadlines, no
   * pre- or post-processing), one model run per requested output.
   *
   * @throws DomainError MODEL_NOT_FOUND; INVALID_FIELD naming `inputs[i].name`, `.datatype` or `.shape` (saying
   *   what the model takes) or `outputs[i].name`; and whatever `WorkerPool.run` throws (OVERLOADED,
   *   DEADLINE_EXCEEDED, MODEL_UNAVAILABLE, …).
   */
  infer(request: OipInferRequest, call: OipCall): Promise<OipInferResult>;
}

/** Dependencies of {@link createOipEndpoint}. */
export interface OipEndpointOptions {
  readonly pool: Pick<WorkerPool, "run" | "modelRoot">;
  readonly models: OipModels;
  readonly signatures: SignatureReader;
  /** Whether the executor can serve now. */
  readonly isReady: () => boolean;
  readonly logger: Logger;
  /** Why a model has no served version, for NOT_FOUND messages (default: "it has no ACTIVE ONNX version here"). */
  readonly unservedHint?: string;
}

/** Creates the OIP operations on the executor's worker pool and served models. */
export function createOipEndpoint(options: OipEndpointOptions): OipEndpoint {
  const { pool, models, signatures, logger } = options;

  const resolve = (name: string, version: string): { served: ServedVersion; source: ModelSource } => {
    if (name === "") throw invalidField("model_name", "is required: name the model to run");
    const served = models.find(name, version);
    if (served === undefined) {
      const versions = models.versions(name);
      const which = version === "" ? `model "${name}"` : `model "${name}" version "${version}"`;
      const hint = versions.length > 0 ? `its served versions: ${versions.join(", ")}` : (options.unservedHint ?? "it has no ACTIVE ONNX version here");
      throw new DomainError(ErrorReason.MODEL_NOT_FOUND, `${which} is not served by this executor (${hint})`, {
        metadata: { model: name, version },
      });
    }
    return { served, source: modelSource(served.name, served.version, served.onnx, pool.modelRoot) };
  };

  return {
    live: () => true,
    ready: () => options.isReady(),
    serverMetadata: () => ({ name: "modelrouter", version: MODELROUTER_VERSION, extensions: OIP_EXTENSIONS }),
    async modelReady(name, version) {
      try {
        await signatures(resolve(name, version).source);
        return options.isReady();
      } catch {
        return false;
      }
    },
    async modelMetadata(name, version) {
      const { served, source } = resolve(name, version);
      const signature = await signatures(source);
      const described = (tensors: readonly TensorSignature[]): OipModelMetadata["inputs"] =>
        tensors.flatMap((t) => (t.datatype === undefined ? [] : [{ name: t.name, datatype: t.datatype, shape: t.shape }]));
      return {
        name: served.name,
        versions: models.versions(served.name),
        platform: OIP_PLATFORM,
        inputs: described(signature.inputs),
        outputs: described(signature.outputs),
      };
    },
    async infer(request, call) {
      const { served, source } = resolve(request.modelName, request.modelVersion);
      try {
        const signature = await signatures(source);
        const input = checkInputs(request, signature, served);
        const outputs = pickOutputs(request, signature, served);
        const results = await Promise.all(
          outputs.map((output) => pool.run(tensorTask(source, input, output.name), { deadline: call.deadline, ...signalOf(call) })),
        );
        return {
          modelName: served.name,
          modelVersion: served.version,
          id: request.id,
          outputs: results.map((result) => toOipTensor(result.outputs[0])),
        };
      } catch (error) {
        if (isDomainError(error) && (error.reason === ErrorReason.MODEL_UNAVAILABLE || error.reason === ErrorReason.INTERNAL)) {
          const log = error.reason === ErrorReason.INTERNAL ? logger.error : logger.warn;
          log(error.message, { protocol: "oip", id: request.id, model: served.name, version: served.version, path: source.path, cause: error.cause });
        }
        throw error;
      }
    },
  };
}

function signalOf(call: OipCall): { signal?: AbortSignal } {
  return call.signal === undefined ? {} : { signal: call.signal };
}

function refOf(served: ServedVersion): string {
  return `model ${served.name}@${served.version}`;
}

function describe(t: TensorSignature): string {
  return `${t.datatype ?? t.onnxType} [${t.shape.join(", ")}]`;
}

/** The one input the model takes, checked against the request's inputs. */
function checkInputs(request: OipInferRequest, signature: ModelSignature, served: ServedVersion): OipTensor {
  const takes = signature.inputs;
  const wanted = takes[0];
  if (takes.length !== 1 || wanted === undefined) {
    throw new DomainError(
      ErrorReason.MODEL_UNAVAILABLE,
      `${refOf(served)} has ${takes.length} inputs; the executor serves models with exactly one input over OIP`,
      { metadata: { model: served.name, version: served.version } },
    );
  }
  const v = new Violations();
  const takesText = `${refOf(served)} takes one input "${wanted.name}" of ${describe(wanted)}`;
  if (request.inputs.length !== 1) v.add("inputs", `has ${request.inputs.length} tensors, but ${takesText}`);
  const input = request.inputs[0];
  if (input !== undefined) {
    if (input.name !== wanted.name) v.add("inputs[0].name", `is "${input.name}", but ${takesText}`);
    const expected = wanted.datatype === undefined ? undefined : elementTypeOf(wanted.datatype);
    if (expected === undefined) {
      throw new DomainError(ErrorReason.MODEL_UNAVAILABLE, `${refOf(served)} input "${wanted.name}" is ${wanted.onnxType}, which the executor cannot feed over OIP`);
    }
    if (input.type !== expected) v.add("inputs[0].datatype", `is ${datatypeOfElement(input.type)}, but ${takesText}`);
    const fits = input.shape.length === wanted.shape.length && wanted.shape.every((d, i) => d < 0 || d === input.shape[i]);
    if (!fits) v.add("inputs[0].shape", `is [${input.shape.join(", ")}], but ${takesText} (-1: any size)`);
  }
  v.throwIfAny(`the request does not fit ${refOf(served)}`);
  return input as OipTensor;
}

/** The outputs to return: the requested ones (checked), or every output the executor can return. */
function pickOutputs(request: OipInferRequest, signature: ModelSignature, served: ServedVersion): readonly TensorSignature[] {
  const returnable = signature.outputs.filter((o) => o.datatype !== undefined && elementTypeOf(o.datatype) !== undefined);
  if (request.outputs.length === 0) return returnable;
  const v = new Violations();
  const names = returnable.map((o) => `"${o.name}"`).join(", ");
  const picked = request.outputs.flatMap((name, i) => {
    const found = returnable.find((o) => o.name === name);
    if (found === undefined) v.add(`outputs[${i}].name`, `is "${name}", but ${refOf(served)} returns ${names}`);
    return found === undefined ? [] : [found];
  });
  v.throwIfAny(`the request does not fit ${refOf(served)}`);
  return picked;
}

function tensorTask(source: ModelSource, input: OipTensor, outputName: string): InferenceTask {
  return {
    model: source,
    inputName: input.name,
    outputName,
    input: { kind: "tensor", tensor: { dataType: input.type, shape: [...input.shape], floatData: [], intData: [], rawData: littleEndianOf(input.values) } },
    output: { kind: "tensor" },
  };
}

function toOipTensor(output: TaskOutput | undefined): OipTensor {
  if (output?.kind !== "tensor") throw new DomainError(ErrorReason.INTERNAL, "a raw OIP inference returned no tensor");
  return { name: output.name, type: output.dataType, shape: output.shape, values: output.values };
}
