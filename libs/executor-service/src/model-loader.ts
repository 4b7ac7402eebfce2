import { createHash } from "node:crypto";
import { InferenceSession } from "onnxruntime-node";
import { modelFileRefused, modelUnavailable } from "./model-errors.js";
import { type ModelFileLimits, readModelFile } from "./model-file.js";
import type { InputInfo } from "./model-input.js";
import type { ModelSource } from "./worker-protocol.js";

/** A model loaded in a worker: its session and what it says about its inputs and outputs. */
export interface LoadedModel {
  readonly session: InferenceSession;
  readonly inputs: readonly InputInfo[];
  readonly outputNames: readonly string[];
}

/**
 * ONNX Runtime settings for a session in a worker thread: the CPU execution provider and one thread, since
 * the pool already runs one worker per core.
 */
const sessionOptions: InferenceSession.SessionOptions = {
  executionProviders: ["cpu"],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
};

/**
 * Reads a model file within `files` (under the model root, links followed; a regular file; at most
 * `files.maxBytes`), checks its SHA-256 when one is registered, and opens an ONNX Runtime session on it.
 *
 * @throws DomainError MODEL_UNAVAILABLE when the file is refused (outside the root, missing, unreadable, not
 *   a regular file, too large: the message names `backend.onnx.uri` and the fix), does not match its sha256,
 *   or is not a model ONNX Runtime can load.
 */
export async function loadModel(source: ModelSource, files: ModelFileLimits): Promise<LoadedModel> {
  const file = await readModelFile(source.path, files);
  if (!file.ok) {
    throw modelFileRefused(source, file.problem, file.cause === undefined ? {} : { cause: file.cause });
  }
  const bytes = file.bytes;
  if (source.sha256 !== "") {
    const digest = createHash("sha256").update(bytes).digest("hex");
    if (digest !== source.sha256) {
      throw modelUnavailable(source, "its file does not match the registered sha256", {
        cause: new Error(`${source.path} has sha256 ${digest}, expected ${source.sha256}`),
      });
    }
  }
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes, sessionOptions);
  } catch (error) {
    throw modelUnavailable(source, "its file is not an ONNX model that ONNX Runtime can load", {
      cause: new Error(`${source.path}: ${error instanceof Error ? error.message : String(error)}`),
    });
  }
  const inputs = session.inputMetadata.map(
    (m): InputInfo => (m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name }),
  );
  return { session, inputs, outputNames: [...session.outputNames] };
}
