import type { Network } from "../layers/network.js";

/**
 * Makes a network trained on inputs × `factor` accept the unscaled inputs, by multiplying the first layer's
 * weights (not its bias) by `factor`: W·(factor·x) + b = (factor·W)·x + b.
 */
export function foldInputScale(network: Network, factor: number): void {
  if (factor === 1) return;
  const first = network.layers[0];
  if (first === undefined || (first.kind !== "dense" && first.kind !== "conv2d")) {
    throw new Error("foldInputScale: the first layer must be dense or conv2d");
  }
  const w = first.weight.value.data;
  for (let i = 0; i < w.length; i++) w[i] = (w[i] as number) * factor;
}

/** A copy of `inputs` with every value multiplied by `factor`. */
export function scaleInputs(inputs: Float32Array, factor: number): Float32Array {
  return factor === 1 ? inputs : inputs.map((v) => v * factor);
}
