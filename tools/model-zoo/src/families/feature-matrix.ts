import type { LabelledPayload } from "../data/payload.js";
import { sizeOf } from "../tensor.js";
import type { FeatureSet } from "../train/trainer.js";
import type { Featurizer } from "./featurizer.js";

/** The model inputs of `items`, made by `featurizer`, packed into a feature set with their labels. */
export function featureMatrix(items: readonly LabelledPayload[], featurizer: Featurizer): FeatureSet {
  const size = sizeOf(featurizer.sampleShape);
  const inputs = new Float32Array(items.length * size);
  items.forEach((item, i) => {
    const features = featurizer.features(item.payload);
    if (features.length !== size) {
      throw new Error(`the preprocessing made ${features.length} values, expected [${featurizer.sampleShape.join(", ")}]`);
    }
    inputs.set(features, i * size);
  });
  return { count: items.length, sampleShape: featurizer.sampleShape, inputs, labels: Uint8Array.from(items, (item) => item.label) };
}
