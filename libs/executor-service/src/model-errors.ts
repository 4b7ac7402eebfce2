import { isAbsolute } from "node:path";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import { clip, quoted } from "@modelrouter/syntax";
import type { ModelSource } from "./worker-protocol.js";

/** The field of a model (and of an `ExecuteRequest`) that names its file. */
export const MODEL_URI_FIELD = "backend.onnx.uri";

/** Options of {@link modelUnavailable}. */
export interface ModelErrorOptions {
  readonly cause?: unknown;
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * A MODEL_UNAVAILABLE error (UNAVAILABLE: the router may try a fallback) for `model`, with metadata
 * {model, version, uri} (the uri clipped to 1,024 characters). The message names the uri only when it is relative to the model root, so that it
 * never shows the layout of the executor's disk; the cause (with the full path) is for logs.
 */
export function modelUnavailable(
  model: Pick<ModelSource, "name" | "version" | "uri">,
  problem: string,
  options: ModelErrorOptions = {},
): DomainError {
  const shown = isRelativeUri(model.uri) ? ` (uri ${quoted(model.uri)})` : "";
  return unavailable(model, `${problem}${shown}`, options);
}

/**
 * A MODEL_UNAVAILABLE error for a model whose file the executor refuses (outside the model root, missing, not
 * a regular file, too large …): the registered model is wrong, not the caller's request, and another model
 * may serve the request, so the router falls back, trying each model version once per request. The message
 * names the field, `backend.onnx.uri`, and the fix (`problem` follows "its backend.onnx.uri …"); metadata
 * adds `field`. The uri is shown only when it is relative to the model root.
 */
export function modelFileRefused(
  model: Pick<ModelSource, "name" | "version" | "uri">,
  problem: string,
  options: ModelErrorOptions = {},
): DomainError {
  const shown = isRelativeUri(model.uri) ? ` ${quoted(model.uri)}` : "";
  return unavailable(model, `its ${MODEL_URI_FIELD}${shown} ${problem}`, {
    ...options,
    metadata: { field: MODEL_URI_FIELD, ...options.metadata },
  });
}

function unavailable(
  model: Pick<ModelSource, "name" | "version" | "uri">,
  problem: string,
  options: ModelErrorOptions,
): DomainError {
  return new DomainError(ErrorReason.MODEL_UNAVAILABLE, `model ${model.name}@${model.version} is unavailable: ${problem}`, {
    metadata: { model: model.name, version: model.version, uri: clip(model.uri, 1024), ...options.metadata },
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}

function isRelativeUri(uri: string): boolean {
  return uri !== "" && !isAbsolute(uri) && !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri);
}
