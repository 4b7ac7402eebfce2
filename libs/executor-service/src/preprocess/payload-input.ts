import type { JsonValue } from "@bufbuild/protobuf";
import type { Payload } from "@modelrouter/contracts";
import type { DomainError } from "@modelrouter/errors";
import { describeImageInput } from "../image-tensor.js";
import { formatShape } from "../model-input.js";
import { ownBytes, type TaskInput, type TensorPayload } from "../worker-protocol.js";
import { type CompiledPreprocessing, preprocessedDims } from "./compile-preprocessing.js";
import { jsonOf } from "./json-payload.js";
import { recordSamples, tensorSamples } from "./series-payload.js";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * The task input of a payload for a model with pre-processing `pre`: text takes `payload.text` or UTF-8
 * `payload.binary`; tabular `payload.json` or a `payload.binary` holding a UTF-8 JSON document (what the
 * analyzer detects as tabular); image and audio `payload.image`/`payload.audio` or `payload.binary`; series a
 * record's field (`payload.json`, or JSON in `payload.binary`), or a one-dimensional `payload.tensor` (already
 * checked: `tensor`) when the spec names no field. Only what the model reads crosses to the worker: a text's
 * head, a series' first `length` samples.
 *
 * @param refuse makes the PAYLOAD_UNSUPPORTED error for a payload of another kind, given what the model takes.
 * @throws DomainError PAYLOAD_UNSUPPORTED for a payload of the wrong kind; INVALID_FIELD for a series record
 *   without its field or a tensor of more than one dimension.
 */
export function payloadInput(
  pre: CompiledPreprocessing,
  payload: Payload,
  tensor: TensorPayload | undefined,
  refuse: (takes: string) => DomainError,
): TaskInput {
  const kind = payload.kind;
  const bytesField = `payload.${kind.case ?? ""}.data`;
  const shape = formatShape(preprocessedDims(pre));
  switch (pre.kind) {
    case "image":
      if (kind.case === "image" || kind.case === "binary") return { kind: "image", data: ownBytes(kind.value.data), field: bytesField, spec: pre.spec };
      throw refuse(`a PNG or JPEG image (fed to it as ${describeImageInput(pre.spec)})`);
    case "text": {
      const takes = `text (fed to it as a ${shape} float32 tensor of hashed n-grams)`;
      const head = (text: string): string => text.slice(0, pre.spec.maxChars * 4 + 1);
      if (kind.case === "text") return { kind: "text", text: head(kind.value), spec: pre.spec };
      if (kind.case === "binary") {
        try {
          return { kind: "text", text: head(utf8.decode(kind.value.data)), spec: pre.spec };
        } catch {
          throw refuse(`${takes}, and the binary data is not UTF-8 text`);
        }
      }
      throw refuse(takes);
    }
    case "tabular": {
      const takes = `a JSON record (fed to it as a ${shape} float32 tensor of its features)`;
      if (kind.case === "json") return { kind: "tabular", record: jsonOf(kind.value), field: "payload.json", spec: pre.spec };
      if (kind.case === "binary") return { kind: "tabular", record: binaryJson(kind.value.data, takes, refuse), field: "payload.binary.data", spec: pre.spec };
      throw refuse(takes);
    }
    case "audio":
      if (kind.case === "audio" || kind.case === "binary") return { kind: "audio", data: ownBytes(kind.value.data), field: bytesField, spec: pre.spec };
      throw refuse(`a WAV file (fed to it as a ${shape} float32 tensor of log-mel energies)`);
    case "series":
      if (pre.spec.field !== "") {
        const takes = `a JSON record with the signal in "${pre.spec.field}" (fed to it as a ${shape} float32 tensor)`;
        if (kind.case === "json") return { kind: "series", ...recordSamples(jsonOf(kind.value), pre.spec), spec: pre.spec };
        if (kind.case === "binary") {
          const record = binaryJson(kind.value.data, takes, refuse);
          return { kind: "series", ...recordSamples(record, pre.spec, "payload.binary.data"), spec: pre.spec };
        }
        throw refuse(takes);
      }
      if (tensor !== undefined) return { kind: "series", ...tensorSamples(tensor, pre.spec), spec: pre.spec };
      throw refuse(`a one-dimensional tensor of samples (fed to it as a ${shape} float32 tensor)`);
  }
}

/** The JSON document a binary payload holds; a payload that is not UTF-8 JSON is of the wrong kind for the model. */
function binaryJson(data: Uint8Array, takes: string, refuse: (takes: string) => DomainError): JsonValue {
  try {
    return JSON.parse(utf8.decode(data)) as JsonValue;
  } catch {
    throw refuse(`${takes}, and the binary data is not a UTF-8 JSON document`);
  }
}
