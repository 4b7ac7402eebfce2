import type { ExecuteRequest, OipBackend } from "@modelrouter/contracts";
import { DomainError, ErrorReason, Violations } from "@modelrouter/errors";
import { checkRequestModel } from "../request-model.js";
import { outputSpec, taskInput } from "../inference-plan.js";
import { type CompiledPreprocessing, compilePreprocessing } from "../preprocess/compile-preprocessing.js";
import { compileTensorPayload } from "../tensor-payload.js";
import type { ModelSource, OutputSpec, TaskInput } from "../worker-protocol.js";

/** An Execute request for a model on OIP servers, validated and planned. */
export interface OipPlan {
  /** The model version as registered, for messages (`uri` names the backend, `key` the remote model). */
  readonly model: ModelSource;
  readonly backend: OipBackend;
  readonly preprocessing: CompiledPreprocessing | undefined;
  readonly input: TaskInput;
  readonly output: OutputSpec;
}

/**
 * Validates an `ExecuteRequest` whose backend is `oip` and plans it: the pre-processing, the payload it takes,
 * the post-processing.
 *
 * @throws DomainError INVALID_FIELD listing every bad field (model name/version, pre/post-processing settings,
 *   a missing or malformed payload); PAYLOAD_UNSUPPORTED when the payload is of a kind the model cannot take.
 */
export function planOipInference(request: ExecuteRequest): OipPlan {
  const v = new Violations();
  const { name, version } = checkRequestModel(request, v);
  const backend = request.backend?.kind.case === "oip" ? request.backend.kind.value : undefined;
  if (backend === undefined) v.add("backend.oip", "is required");
  const pre = backend?.preprocessing === undefined ? undefined : compilePreprocessing(backend.preprocessing, "backend.oip.preprocessing", v);
  const output = backend === undefined ? undefined : outputSpec(backend.postprocessing, "backend.oip.postprocessing", v);
  const payload = request.payload;
  if (payload === undefined || payload.kind.case === undefined) v.add("payload", "is required: give exactly one kind of data (image, tensor, text, …)");
  const takesTensor = backend?.preprocessing === undefined || (pre?.kind === "series" && pre.spec.field === "");
  const tensor = payload?.kind.case === "tensor" && takesTensor ? payload.kind.value : undefined;
  const tensorPayload = tensor === undefined ? undefined : compileTensorPayload(tensor, "payload.tensor", v);
  v.throwIfAny("invalid execute request");
  if (output === undefined || backend === undefined || payload === undefined) {
    throw new DomainError(ErrorReason.INTERNAL, "execute request planning lost a validated field");
  }
  const model = remoteModelSource(name, version, backend);
  return { model, backend, preprocessing: pre, input: taskInput(model, pre, payload, tensorPayload), output };
}

/** The `ModelSource` of a remote model version, for messages; its key changes with anything the connection depends on. */
export function remoteModelSource(name: string, version: string, backend: OipBackend): ModelSource {
  const key = JSON.stringify([
    name,
    version,
    backend.endpoints.map((e) => [e.url, e.credential]),
    backend.modelName,
    backend.modelVersion,
    backend.inputName,
    backend.outputName,
    backend.binaryData,
  ]);
  return { name, version, uri: `oip:${backend.endpoints.map((e) => e.url).join(",")}`, path: "", sha256: "", key };
}
