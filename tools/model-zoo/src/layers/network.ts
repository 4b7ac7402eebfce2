import type { Tensor } from "../tensor.js";
import type { Conv2dLayer } from "./conv2d.js";
import type { DenseLayer } from "./dense.js";
import type { FlattenLayer } from "./flatten.js";
import type { Param } from "./layer.js";
import type { MaxPool2dLayer } from "./max-pool2d.js";
import type { ReluLayer } from "./relu.js";

/** Every layer kind the trainer has; the ONNX exporter switches on `kind`. */
export type Layer = DenseLayer | Conv2dLayer | MaxPool2dLayer | ReluLayer | FlattenLayer;

/**
 * A feed-forward chain of layers. `inputShape` is the shape of one sample without the batch dimension, for
 * example [1, 28, 28] or [784]; `outputs` the number of classes (logits).
 */
export interface Network {
  readonly layers: readonly Layer[];
  readonly inputShape: readonly number[];
  readonly outputs: number;
  readonly params: readonly Param[];
  /** Logits for a batch [N, …inputShape] → [N, outputs]. */
  forward(x: Tensor): Tensor;
  /** Back-propagates the loss gradient of the last forward pass, accumulating parameter gradients. */
  backward(dLogits: Tensor): void;
}

/** Chains `layers` into a network. */
export function createNetwork(layers: readonly Layer[], inputShape: readonly number[], outputs: number): Network {
  return {
    layers,
    inputShape,
    outputs,
    params: layers.flatMap((layer) => layer.params),
    forward: (x) => layers.reduce((h, layer) => layer.forward(h), x),
    backward: (dLogits) => {
      let g = dLogits;
      for (let i = layers.length - 1; i >= 0; i--) g = (layers[i] as Layer).backward(g);
    },
  };
}

/** The number of trainable values of a network. */
export function parameterCount(network: Network): number {
  return network.params.reduce((sum, p) => sum + p.value.data.length, 0);
}
