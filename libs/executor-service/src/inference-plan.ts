import type { ExecuteRequest, OnnxBackend, Payload, Postprocessing } from "@modelrouter/contracts";
import { DomainError, ErrorReason, Violations } from "@modelrouter/errors";
import { MAX_REGRESSION_UNIT_LENGTH } from "@modelrouter/syntax";
import { checkRequestModel } from "./request-model.js";
import { modelFileRefused } from "./model-errors.js";
import { resolveModelUri } from "./model-uri.js";
import { type CompiledPreprocessing, compilePreprocessing } from "./preprocess/compile-preprocessing.js";
import { payloadInput } from "./preprocess/payload-input.js";
import { compileTensorPayload } from "./tensor-payload.js";
import type { InferenceTask, ModelSource, OutputSpec, TaskInput, TensorPayload } from "./worker-protocol.js";

const sha256Pattern = /^[0-9a-f]{64}$/;

/**
 * Validates an `ExecuteRequest` and plans its inference: the model file resolved under `modelRoot`, the
 * pre-processing with its defaults, the checked tensor payload, the post-processing.
 *
 * @throws DomainError INVALID_FIELD listing every bad field (model name/version, backend, a bad sha256,
 *   pre/post-processing settings, a missing or malformed payload); then MODEL_UNAVAILABLE naming
 *   `backend.onnx.uri` when the model's uri is empty, has a scheme other than `file:` or leaves the model root
 *   (the registered model is wrong, not the request: the router may fall back); PAYLOAD_UNSUPPORTED when the
 *   payload is of a kind the model cannot take (text for an image model, an image for a tensor model), saying
 *   what the model expects (see `payloadInput`); INVALID_FIELD for a series record without its samples field.
 */
export function planInference(request: ExecuteRequest, modelRoot: string): InferenceTask {
  const v = new Violations();
  const { name, version } = checkRequestModel(request, v);
  const onnx = request.backend?.kind.case === "onnx" ? request.backend.kind.value : undefined;
  if (onnx === undefined) v.add("backend.onnx", "is required: the executor runs ONNX models; give the model's backend");
  if (onnx !== undefined && onnx.sha256 !== "" && !sha256Pattern.test(onnx.sha256)) {
    v.add("backend.onnx.sha256", "must be empty or 64 lower-case hex digits (the file's SHA-256)");
  }
  const pre = onnx?.preprocessing === undefined ? undefined : compilePreprocessing(onnx.preprocessing, "backend.onnx.preprocessing", v);
  const output = onnx === undefined ? undefined : outputSpec(onnx.postprocessing, "backend.onnx.postprocessing", v);
  const payload = request.payload;
  if (payload === undefined || payload.kind.case === undefined) {
    v.add("payload", "is required: give exactly one kind of data (image, tensor, text, …)");
  }
  const takesTensor = onnx?.preprocessing === undefined || (pre?.kind === "series" && pre.spec.field === "");
  const tensor = payload?.kind.case === "tensor" && takesTensor ? payload.kind.value : undefined;
  const tensorPayload = tensor === undefined ? undefined : compileTensorPayload(tensor, "payload.tensor", v);
  v.throwIfAny("invalid execute request");
  if (output === undefined || onnx === undefined || payload === undefined) {
    throw new DomainError(ErrorReason.INTERNAL, "execute request planning lost a validated field");
  }
  const model = modelSource(name, version, onnx, modelRoot);
  const input: TaskInput = taskInput(model, pre, payload, tensorPayload);
  return { model, inputName: onnx.inputName, outputName: onnx.outputName, input, output };
}

/**
 * Where a model version's file is, resolved under `modelRoot`, and the key its sessions are cached by.
 *
 * @throws DomainError MODEL_UNAVAILABLE naming `backend.onnx.uri` when the uri is empty, has a scheme other
 *   than `file:` or leaves the model root.
 */
export function modelSource(name: string, version: string, onnx: OnnxBackend, modelRoot: string): ModelSource {
  const resolved = resolveModelUri(onnx.uri, modelRoot);
  if (!resolved.ok) throw modelFileRefused({ name, version, uri: onnx.uri }, resolved.problem);
  const key = `${name}@${version}|${resolved.path}|${onnx.sha256}`;
  return { name, version, uri: onnx.uri, path: resolved.path, sha256: onnx.sha256, key };
}

/** The output spec of a backend's post-processing (absent: the raw tensor); problems are added under `path`. */
export function outputSpec(postprocessing: Postprocessing | undefined, path: string, v: Violations): OutputSpec | undefined {
  const kind = postprocessing?.kind;
  if (kind === undefined) return { kind: "tensor" };
  switch (kind.case) {
    case "classification":
      return { kind: "classification", labels: [...kind.value.labels], softmax: kind.value.softmax, topK: kind.value.topK };
    case "regression": {
      const { scale, offset, unit } = kind.value;
      const at = `${path}.regression`;
      if (!Number.isFinite(scale)) v.add(`${at}.scale`, "must be a finite number (0 means 1)");
      if (!Number.isFinite(offset)) v.add(`${at}.offset`, "must be a finite number");
      if (unit.length > MAX_REGRESSION_UNIT_LENGTH) v.add(`${at}.unit`, `is ${unit.length} characters; at most ${MAX_REGRESSION_UNIT_LENGTH} are allowed`);
      return { kind: "regression", scale: scale === 0 ? 1 : scale, offset, unit };
    }
    default:
      v.add(path, "is empty: set one kind (classification or regression), or leave it out for raw tensors");
      return undefined;
  }
}

/**
 * What a task feeds its model: the payload with the model's pre-processing, or a tensor payload as is.
 *
 * @throws DomainError PAYLOAD_UNSUPPORTED when the payload is of a kind the model cannot take (a chat payload
 *   always: it is for chat models, backend openai).
 */
export function taskInput(
  model: ModelSource,
  pre: CompiledPreprocessing | undefined,
  payload: Payload,
  tensor: TensorPayload | undefined,
): TaskInput {
  const ref = `${model.name}@${model.version}`;
  if (payload.kind.case === "chat") {
    throw new DomainError(ErrorReason.PAYLOAD_UNSUPPORTED, `model ${ref} is not a chat model; a chat payload is for chat models (backend openai)`, {
      metadata: { model: model.name, version: model.version, payloadKind: "chat" },
      violations: [{ field: "payload.chat", description: `is for chat models (backend openai); model ${ref} is not one: send text, or the kind of data it takes` }],
    });
  }
  const got = describePayload(payload);
  const refuse = (takes: string): DomainError =>
    new DomainError(ErrorReason.PAYLOAD_UNSUPPORTED, `model ${ref} takes ${takes}; the payload is ${got}`, {
      metadata: { model: model.name, version: model.version, payloadKind: payload.kind.case ?? "" },
      violations: [{ field: "payload", description: `is ${got}, but model ${ref} takes ${takes}` }],
    });
  if (pre !== undefined) return payloadInput(pre, payload, tensor, refuse);
  if (tensor !== undefined) return { kind: "tensor", tensor };
  throw refuse("a tensor payload (it has no pre-processing)");
}

function describePayload(payload: Payload): string {
  switch (payload.kind.case) {
    case "text":
      return "text";
    case "image":
      return "an image";
    case "audio":
      return "audio";
    case "json":
      return "JSON";
    case "tensor":
      return "a tensor";
    case "binary":
      return "binary data";
    default:
      return "empty";
  }
}
