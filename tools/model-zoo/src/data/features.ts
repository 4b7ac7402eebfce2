import { encodeGrayPng } from "../image/png.js";
import { planesToTensor, preprocessImage, type PreprocessingSpec } from "../image/preprocess.js";
import type { FeatureSet } from "../train/trainer.js";
import { imageAt, type ImageSet } from "./image-set.js";

/**
 * Model inputs for every image of `set`, made by the executor's preprocessing from the 8-bit grayscale
 * pixels (the same numbers that decoding the stored PNG gives). Used for training.
 */
export function featuresFromPixels(set: ImageSet, spec: PreprocessingSpec): FeatureSet {
  return collect(set, (i) => planesToTensor([imageAt(set, i)], set.width, set.height, spec));
}

/**
 * Model inputs for every image of `set`, made the way a request is served: each image is encoded as a
 * grayscale PNG file and run through the full preprocessing spec (decode, gray, resize, scale, layout).
 * Used for evaluation.
 */
export function featuresFromPngs(set: ImageSet, spec: PreprocessingSpec): FeatureSet {
  return collect(set, (i) => preprocessImage(encodeGrayPng(imageAt(set, i), set.width, set.height), spec));
}

function collect(
  set: ImageSet,
  make: (index: number) => { data: Float32Array; dims: readonly number[] },
): FeatureSet {
  const first = make(0);
  const size = first.data.length;
  const inputs = new Float32Array(set.count * size);
  inputs.set(first.data, 0);
  for (let i = 1; i < set.count; i++) inputs.set(make(i).data, i * size);
  return { count: set.count, sampleShape: first.dims.slice(1), inputs, labels: set.labels };
}
