import type { DenseLayer } from "../layers/dense.js";
import type { Network } from "../layers/network.js";
import { sizeOf } from "../tensor.js";
import type { FeatureSet } from "../train/trainer.js";

/** Per-column mean and standard deviation of a feature set (a constant column gets std 1). */
export interface ColumnStats {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

/** The mean and standard deviation of every input column of `set`. */
export function columnStats(set: FeatureSet): ColumnStats {
  const width = sizeOf(set.sampleShape);
  const mean = new Float64Array(width);
  const square = new Float64Array(width);
  for (let s = 0; s < set.count; s++) {
    for (let c = 0; c < width; c++) {
      const v = set.inputs[s * width + c] as number;
      mean[c] = (mean[c] as number) + v;
      square[c] = (square[c] as number) + v * v;
    }
  }
  const std = new Float64Array(width);
  for (let c = 0; c < width; c++) {
    const m = (mean[c] as number) / set.count;
    mean[c] = m;
    const sd = Math.sqrt(Math.max(0, (square[c] as number) / set.count - m * m));
    std[c] = sd > 1e-6 ? sd : 1;
  }
  return { mean, std };
}

/** A copy of `set` with every column standardised: (x − mean) / std. */
export function standardise(set: FeatureSet, stats: ColumnStats): FeatureSet {
  const width = stats.mean.length;
  const inputs = set.inputs.map((v, i) => (v - (stats.mean[i % width] as number)) / (stats.std[i % width] as number));
  return { ...set, inputs };
}

/** The first dense layer of a network (after any flatten). */
function firstDense(network: Network): DenseLayer {
  const layer = network.layers.find((l) => l.kind !== "flatten");
  if (layer?.kind !== "dense") throw new Error("foldStandardisation: the first weighted layer must be dense");
  return layer;
}

/**
 * Makes a network trained on standardised inputs take the raw ones, by folding the standardisation into its
 * first dense layer: W·((x − m) / s) + b = (W / s)·x + (b − Σ W·m / s).
 */
export function foldStandardisation(network: Network, stats: ColumnStats): void {
  const dense = firstDense(network);
  const w = dense.weight.value.data;
  const b = dense.bias.value.data;
  for (let o = 0; o < dense.outputs; o++) {
    let shift = 0;
    for (let i = 0; i < dense.inputs; i++) {
      const k = o * dense.inputs + i;
      const scaled = (w[k] as number) / (stats.std[i] as number);
      w[k] = scaled;
      shift += scaled * (stats.mean[i] as number);
    }
    b[o] = (b[o] as number) - shift;
  }
}
