import type { JsonValue } from "@bufbuild/protobuf";
import { DomainError, type ErrorReason, type FieldViolation, isDomainError } from "@modelrouter/errors";
import type { AudioSpec, SeriesSpec, TabularSpec, TensorElementType, TextSpec } from "@modelrouter/syntax";
import type { ModelFileLimits } from "./model-file.js";

/**
 * The element types a tensor payload or output may have: the proto's `DataType` values, spelled as
 * ONNX Runtime spells its tensor types (`@modelrouter/syntax`'s element types).
 */
export type TensorDataType = TensorElementType;

/** Where a model's file is and how to recognise it. */
export interface ModelSource {
  /** The model's name, for example "digits-general". */
  readonly name: string;
  readonly version: string;
  /** The `backend.onnx.uri` as registered: what messages and metadata may show. */
  readonly uri: string;
  /** The absolute path of the file on the executor's disk: for logs, never for messages. */
  readonly path: string;
  /** The lower-case hex SHA-256 the file must have; empty: not checked. */
  readonly sha256: string;
  /** Identifies a loaded session: two tasks with the same key share one session in a worker. */
  readonly key: string;
}

/** The image pre-processing of a model, with every default resolved. */
export interface ImageSpec {
  /** Output width in pixels (at least 1). */
  readonly width: number;
  /** Output height in pixels (at least 1). */
  readonly height: number;
  /** 1: grayscale; 3: RGB. */
  readonly channels: 1 | 3;
  readonly layout: "nchw" | "nhwc" | "flat";
  /** Multiplies each 0..255 value (already resolved: never 0). */
  readonly scale: number;
  /** One per channel. */
  readonly mean: readonly number[];
  /** One per channel, never 0. */
  readonly std: readonly number[];
  readonly invert: boolean;
}

/** A dense tensor payload, as the client sent it (structure already validated). */
export interface TensorPayload {
  readonly dataType: TensorDataType;
  readonly shape: readonly number[];
  readonly floatData: readonly number[];
  readonly intData: readonly bigint[];
  /** Little-endian packed elements; used when non-empty. */
  readonly rawData: Uint8Array;
}

/**
 * What the worker feeds the model: a payload to pre-process by the model's declared pre-processing (with the
 * request field that holds it, for errors: `payload.image.data`, `payload.binary.data`, `payload.json`,
 * `payload.json.samples`, `payload.tensor`), or a tensor to pass as is. A series carries only the samples it
 * uses (at most `spec.length`), still unchecked: the worker checks each.
 */
export type TaskInput =
  | { readonly kind: "image"; readonly data: Uint8Array; readonly field: string; readonly spec: ImageSpec }
  | { readonly kind: "text"; readonly text: string; readonly spec: TextSpec }
  | { readonly kind: "tabular"; readonly record: JsonValue; readonly field: string; readonly spec: TabularSpec }
  | { readonly kind: "audio"; readonly data: Uint8Array; readonly field: string; readonly spec: AudioSpec }
  | { readonly kind: "series"; readonly samples: readonly unknown[]; readonly field: string; readonly spec: SeriesSpec }
  | { readonly kind: "tensor"; readonly tensor: TensorPayload };

/** What the worker makes of the model's output. */
export type OutputSpec =
  | {
      readonly kind: "classification";
      /** One per class; empty: the class index is the label. */
      readonly labels: readonly string[];
      readonly softmax: boolean;
      /** How many labels to return; 0: all. */
      readonly topK: number;
    }
  | {
      readonly kind: "regression";
      /** Multiplies the model's value (resolved: never 0). */
      readonly scale: number;
      /** Added after scaling. */
      readonly offset: number;
      /** Returned with the value; may be empty. */
      readonly unit: string;
    }
  | { readonly kind: "tensor" };

/**
 * One inference, fully planned and validated: which model file, which input and output, how the payload
 * becomes the input tensor and how the output becomes an answer. Plain data, so it crosses to a worker thread.
 */
export interface InferenceTask {
  readonly model: ModelSource;
  /** The model input to feed; empty: the first input. */
  readonly inputName: string;
  /** The model output to read; empty: the first output. */
  readonly outputName: string;
  readonly input: TaskInput;
  readonly output: OutputSpec;
}

/** One label and its score. */
export interface LabelScore {
  readonly label: string;
  readonly score: number;
}

/** A typed array holding tensor elements. */
export type TensorValues = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** One answer of a model, ready to become a proto `Output`. */
export type TaskOutput =
  | { readonly kind: "classification"; readonly name: string; readonly labels: readonly LabelScore[] }
  | { readonly kind: "regression"; readonly name: string; readonly value: number; readonly unit: string }
  | {
      readonly kind: "tensor";
      readonly name: string;
      readonly dataType: TensorDataType;
      readonly shape: readonly number[];
      readonly values: TensorValues;
    };

/** The options a worker is started with. */
export interface WorkerSettings {
  /** How many loaded models a worker keeps (least recently used first out). */
  readonly sessionCacheSize: number;
  readonly imageLimits: ImageLimits;
  /** Where model files may be read from and how large they may be. */
  readonly modelFiles: ModelFileLimits;
  /** A loaded model unused for this many milliseconds is unloaded; `Infinity`: never. */
  readonly sessionIdleMs: number;
}

/** Limits on the images a worker decodes, against decompression bombs; checked on the header, before decoding. */
export interface ImageLimits {
  /** The most pixels (width × height) of an image. */
  readonly maxPixels: number;
  /** The most memory the JPEG decoder may allocate, in MiB. */
  readonly maxMemoryMb: number;
}

/** The limits used where none are given: 25 million pixels, 256 MiB for the JPEG decoder. */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = Object.freeze({ maxPixels: 25_000_000, maxMemoryMb: 256 });

/**
 * The bytes of `view` in an ArrayBuffer of their own. `postMessage` copies a typed array's whole underlying
 * buffer, and a bytes field decoded from a request is a view into the transport's read buffer (hundreds of
 * KB): posting the view cost ~130 µs of CPU per task against ~6 µs for its own copy of 184 B.
 */
export function ownBytes(view: Uint8Array): Uint8Array {
  // Not `view.slice()`: on a Node Buffer that is a view too.
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? view : new Uint8Array(view);
}

/** A task as sent to a worker. */
export interface RunMessage {
  readonly type: "run";
  readonly id: number;
  /** Epoch milliseconds; the worker does not start the model run after it. `Infinity` for none. */
  readonly deadline: number;
  readonly task: InferenceTask;
}

/**
 * Tasks of one model run together in a worker: each is checked and pre-processed on its own (a bad one fails
 * alone), the ones whose deadline passed are dropped, and the rest are stacked along the input's batch axis
 * when the model has one (else run one by one). Each task is answered by its own `done` or `failed`.
 */
export interface RunBatchMessage {
  readonly type: "runBatch";
  /** Tasks of the same model (the same `task.model.key`). */
  readonly items: readonly RunMessage[];
}

/** Asks a worker to unload every session of a model version (for example, because it was deregistered). */
export interface UnloadMessage {
  readonly type: "unload";
  readonly model: string;
  readonly version: string;
}

/** Asks a worker to load a model's session without running it, so that its first task does not wait for the load. */
export interface PreloadMessage {
  readonly type: "preload";
  /** Answered by the `preloaded` message with the same id. */
  readonly id: number;
  readonly model: ModelSource;
}

/** What the pool sends a worker. */
export type PoolMessage = RunMessage | RunBatchMessage | UnloadMessage | PreloadMessage;

/** A {@link DomainError} flattened for `postMessage`. */
export interface SerializedError {
  readonly reason: ErrorReason;
  readonly message: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly violations: readonly FieldViolation[];
  /** The underlying error's text, for logs only. */
  readonly cause?: { readonly name: string; readonly message: string; readonly stack?: string };
}

/** What a worker sends back. */
export type WorkerMessage =
  | { readonly type: "ready" }
  | {
      readonly type: "done";
      readonly id: number;
      readonly outputs: readonly TaskOutput[];
      /** Time in the worker: load (if any), pre-processing, run, post-processing. */
      readonly inferenceMs: number;
      /** The model keys the worker has loaded now. */
      readonly cachedKeys: readonly string[];
    }
  | {
      readonly type: "failed";
      readonly id: number;
      readonly error: SerializedError;
      readonly cachedKeys: readonly string[];
    }
  | {
      /** One model run, sent before the answers of its tasks. */
      readonly type: "ran";
      /** The model's `ModelSource.key`. */
      readonly key: string;
      /** Tasks the run answered (1 when not batched). */
      readonly batchSize: number;
      /** True when the model's input has a symbolic first dimension, so that its tasks can be batched. */
      readonly batchable: boolean;
    }
  | { readonly type: "cached"; readonly cachedKeys: readonly string[] }
  | {
      /** The answer to a `preload`: the session is loaded, or `error` says why it could not be. */
      readonly type: "preloaded";
      readonly id: number;
      readonly error?: SerializedError;
      readonly cachedKeys: readonly string[];
    };

/** Flattens an error for `postMessage`; anything that is not a domain error becomes INTERNAL. */
export function serializeError(error: unknown): SerializedError {
  if (isDomainError(error)) {
    const cause = describeCause(error.cause);
    return {
      reason: error.reason,
      message: error.message,
      metadata: { ...error.metadata },
      violations: error.violations.map((v) => ({ field: v.field, description: v.description })),
      ...(cause === undefined ? {} : { cause }),
    };
  }
  const cause = describeCause(error);
  return {
    reason: "INTERNAL",
    message: "internal error in the ONNX worker; the executor logged the cause",
    metadata: {},
    violations: [],
    ...(cause === undefined ? {} : { cause }),
  };
}

/** Rebuilds the {@link DomainError} of a {@link SerializedError}, its cause as a plain `Error`. */
export function deserializeError(error: SerializedError): DomainError {
  let cause: Error | undefined;
  if (error.cause !== undefined) {
    cause = new Error(error.cause.message);
    cause.name = error.cause.name;
    if (error.cause.stack !== undefined) cause.stack = error.cause.stack;
  }
  return new DomainError(error.reason, error.message, {
    metadata: error.metadata,
    violations: error.violations,
    ...(cause === undefined ? {} : { cause }),
  });
}

function describeCause(cause: unknown): SerializedError["cause"] {
  if (cause === undefined) return undefined;
  if (cause instanceof Error) {
    return cause.stack === undefined
      ? { name: cause.name, message: cause.message }
      : { name: cause.name, message: cause.message, stack: cause.stack };
  }
  return { name: "Error", message: String(cause) };
}
