import type { ModelFileLimits } from "../model-file.js";
import { loadModel } from "../model-loader.js";
import type { ModelSource } from "../worker-protocol.js";
import { oipDatatypeOf } from "../oip-datatypes.js";

/** One input or output of a model, as OIP metadata describes it. */
export interface TensorSignature {
  readonly name: string;
  /** The OIP datatype ("FP32", "BYTES"); undefined for a non-tensor value or a type OIP has no name for. */
  readonly datatype: string | undefined;
  /** ONNX Runtime's type name ("float32", "string", or "non-tensor"), for messages. */
  readonly onnxType: string;
  /** Dimensions; -1 for a dynamic (symbolic) one. */
  readonly shape: readonly number[];
}

/** What a model takes and returns. */
export interface ModelSignature {
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
}

/** Reads the signature of a model version; the same version's file is read once. */
export type SignatureReader = (source: ModelSource) => Promise<ModelSignature>;

interface ValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}

function signatureOf(metadata: ValueMetadata): TensorSignature {
  if (!metadata.isTensor || metadata.type === undefined) {
    return { name: metadata.name, datatype: undefined, onnxType: "non-tensor", shape: [] };
  }
  return {
    name: metadata.name,
    datatype: oipDatatypeOf(metadata.type),
    onnxType: metadata.type,
    shape: (metadata.shape ?? []).map((d) => (typeof d === "number" && d >= 0 ? d : -1)),
  };
}

/**
 * A {@link SignatureReader} that opens the model's ONNX Runtime session on this thread (the same checks as a
 * worker's load: under the model root, the size limit, the registered sha256), reads its input and output
 * metadata and releases it. Signatures are cached by the model's session key; a failed read is not cached,
 * so that a file fixed later is read again.
 *
 * @throws DomainError MODEL_UNAVAILABLE as a worker's load would (see `loadModel`).
 */
export function createSignatureReader(files: ModelFileLimits): SignatureReader {
  const cache = new Map<string, Promise<ModelSignature>>();
  return (source) => {
    let signature = cache.get(source.key);
    if (signature === undefined) {
      signature = (async () => {
        const model = await loadModel(source, files);
        try {
          return {
            inputs: model.session.inputMetadata.map(signatureOf),
            outputs: model.session.outputMetadata.map(signatureOf),
          };
        } finally {
          await model.session.release().catch(() => undefined);
        }
      })();
      cache.set(source.key, signature);
      signature.catch(() => cache.delete(source.key));
    }
    return signature;
  };
}
