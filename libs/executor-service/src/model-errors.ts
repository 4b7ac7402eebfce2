import { isAbsolute } from "node:path";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import type { ModelSource } from "./worker-protocol.js";

/**
 * A MODEL_UNAVAILABLE error (UNAVAILABLE: the router may try a fallback) for `model`, with metadata
 * {model, version, uri}. The message names the uri only when it is relative to the model root, so that it
 * never shows the layout of the executor's disk; the cause (with the full path) is for logs.
 */
export function modelUnavailable(
  model: Pick<ModelSource, "name" | "version" | "uri">,
  problem: string,
  options: { readonly cause?: unknown; readonly metadata?: Readonly<Record<string, string>> } = {},
): DomainError {
  const shown = isRelativeUri(model.uri) ? ` (uri "${model.uri}")` : "";
  return new DomainError(
    ErrorReason.MODEL_UNAVAILABLE,
    `model ${model.name}@${model.version} is unavailable: ${problem}${shown}`,
    {
      metadata: { model: model.name, version: model.version, uri: model.uri, ...options.metadata },
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    },
  );
}

function isRelativeUri(uri: string): boolean {
  return !isAbsolute(uri) && !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri);
}
