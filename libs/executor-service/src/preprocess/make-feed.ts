import { decodeImage } from "../image-decode.js";
import { describeImageInput, imageToTensor } from "../image-tensor.js";
import { modelUnavailable } from "../model-errors.js";
import { type FeedTensor, type InputInfo, describeInput, fitDims, formatShape, tensorFeed } from "../model-input.js";
import type { InferenceTask, TaskInput, WorkerSettings } from "../worker-protocol.js";
import { audioFeatures } from "./audio-features.js";
import { preprocessedDims } from "./compile-preprocessing.js";
import { seriesFeatures } from "./series-features.js";
import { tabularFeatures } from "./tabular-features.js";
import { textFeatures } from "./text-features.js";

type Preprocessed = Exclude<TaskInput, { kind: "tensor" }>;

/**
 * Builds the tensor a task feeds to the model input `input`: a tensor payload as given (its type and shape
 * checked against the input), or the payload pre-processed by the model's declared pre-processing into a
 * float32 tensor — image [1, c, h, w] (or its layout), text [1, buckets], tabular [1, width], audio
 * [1, 1, frames, mel_bands], series [1, width] — fed with the input's own shape when it has the same element
 * count and only fixed dimensions. The shape is checked before any work on the payload.
 *
 * @throws DomainError MODEL_UNAVAILABLE naming both shapes when the model input does not take the tensor the
 *   pre-processing makes (the registration is wrong: another model may serve); INVALID_FIELD (or
 *   PAYLOAD_UNSUPPORTED for a tensor payload) for a payload the pre-processing cannot take.
 */
export function makeFeed(task: InferenceTask, input: InputInfo, settings: Pick<WorkerSettings, "imageLimits">): FeedTensor {
  if (task.input.kind === "tensor") return tensorFeed(task.input.tensor, input, `${task.model.name}@${task.model.version}`);
  const dims = preprocessedDims(task.input);
  const fitted = fitDims(dims, input);
  if ((input.type !== undefined && input.type !== "float32") || fitted === undefined) {
    throw modelUnavailable(
      task.model,
      `its ${task.input.kind} pre-processing makes a float32 ${formatShape(dims)} tensor but its input "${input.name}" takes ${describeInput(input)}`,
    );
  }
  return { type: "float32", data: preprocess(task.input, settings), dims: fitted };
}

function preprocess(input: Preprocessed, settings: Pick<WorkerSettings, "imageLimits">): Float32Array {
  switch (input.kind) {
    case "image": {
      const image = decodeImage(input.data, settings.imageLimits, { field: input.field, expects: describeImageInput(input.spec) });
      return imageToTensor(image, input.spec);
    }
    case "text":
      return textFeatures(input.text, input.spec);
    case "tabular":
      return tabularFeatures(input.record, input.spec, input.field);
    case "audio":
      return audioFeatures(input.data, input.spec, input.field);
    case "series":
      return seriesFeatures(input.samples as ArrayLike<number>, input.spec, input.field);
  }
}
