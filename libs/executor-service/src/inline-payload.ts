import type { InferenceTask } from "./worker-protocol.js";

/** The largest input run on the calling thread: its decoding must not hold the serving thread. */
export const INLINE_MAX_INPUT_BYTES = 64 * 1024;

/**
 * True when the task's input is small enough to run on the calling thread: image and audio bytes, text and
 * tensors up to {@link INLINE_MAX_INPUT_BYTES}. A model's cost depends on its input too (a large image takes far
 * longer to decode than the ones that proved the model cheap), and JSON records and series are never run there.
 */
export function inlineInputFits(task: InferenceTask): boolean {
  const input = task.input;
  switch (input.kind) {
    case "image":
    case "audio":
      return input.data.byteLength <= INLINE_MAX_INPUT_BYTES;
    case "text":
      return input.text.length * 3 <= INLINE_MAX_INPUT_BYTES;
    case "tensor":
      return input.tensor.rawData.byteLength + 8 * (input.tensor.floatData.length + input.tensor.intData.length) <= INLINE_MAX_INPUT_BYTES;
    case "tabular":
    case "series":
      return false;
  }
}
