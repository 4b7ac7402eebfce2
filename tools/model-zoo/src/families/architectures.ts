import { createDense } from "../layers/dense.js";
import { createFlatten } from "../layers/flatten.js";
import { createNetwork, type Layer, type Network } from "../layers/network.js";
import { createRelu } from "../layers/relu.js";
import type { Rng } from "../rng.js";
import { sizeOf } from "../tensor.js";

/** Options of {@link createPerceptron}. */
export interface PerceptronOptions {
  /** Hidden layer widths; empty: softmax (or logistic) regression. */
  readonly hidden: readonly number[];
  /** The first layer visits only non-zero inputs (hashed n-gram features). */
  readonly sparseInputs?: boolean;
}

/**
 * A multi-layer perceptron over inputs of `sampleShape` (flattened first when it has more than one
 * dimension): dense → ReLU for each hidden width, then dense to `classes` logits.
 */
export function createPerceptron(rng: Rng, sampleShape: readonly number[], classes: number, options: PerceptronOptions): Network {
  const layers: Layer[] = sampleShape.length > 1 ? [createFlatten({ name: "flatten" })] : [];
  let inputs = sizeOf(sampleShape);
  options.hidden.forEach((width, i) => {
    layers.push(createDense({ name: `fc${i + 1}`, inputs, outputs: width, rng, sparseInputs: i === 0 && options.sparseInputs === true }));
    layers.push(createRelu({ name: `relu${i + 1}` }));
    inputs = width;
  });
  const last = options.hidden.length + 1;
  layers.push(createDense({ name: `fc${last}`, inputs, outputs: classes, rng, sparseInputs: last === 1 && options.sparseInputs === true }));
  return createNetwork(layers, sampleShape, classes);
}

/** "Softmax regression 4096 → 15" or "MLP 3136 → 64 → 10", for model cards. */
export function describePerceptron(sampleShape: readonly number[], classes: number, hidden: readonly number[]): string {
  const widths = [sizeOf(sampleShape), ...hidden, classes].join(" → ");
  const flatten = sampleShape.length > 1 ? `Flatten [${sampleShape.join(", ")}] → ` : "";
  return hidden.length === 0 ? `${flatten}softmax regression ${widths}` : `${flatten}MLP ${widths} (ReLU)`;
}
