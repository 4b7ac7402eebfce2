import type { ImagePreprocessing } from "@modelrouter/contracts";
import { preprocessImage } from "@modelrouter/executor-service";
import { encodeGrayPng } from "../image/png.js";
import type { FeatureSet } from "../train/trainer.js";
import { imageAt, type ImageSet } from "./image-set.js";

/**
 * Model inputs for every image of `set`, made exactly as the executor serves a request: each image is encoded
 * as the 8-bit grayscale PNG file it is shipped as and run through the executor's image pre-processing
 * (`preprocessImage` from @modelrouter/executor-service, the one implementation of the spec). Training,
 * noise calibration and evaluation all use it, so the models are trained and measured on the very inputs
 * they are served.
 */
export function imageFeatures(set: ImageSet, preprocessing: ImagePreprocessing): FeatureSet {
  const make = (index: number) => preprocessImage(encodeGrayPng(imageAt(set, index), set.width, set.height), preprocessing);
  const first = make(0);
  const size = first.data.length;
  const inputs = new Float32Array(set.count * size);
  inputs.set(first.data, 0);
  for (let i = 1; i < set.count; i++) inputs.set(make(i).data, i * size);
  return { count: set.count, sampleShape: first.dims.slice(1), inputs, labels: set.labels };
}
