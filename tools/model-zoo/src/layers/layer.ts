import type { Tensor } from "../tensor.js";

/** A trainable tensor and its gradient, accumulated by `backward` and consumed by an optimiser. */
export interface Param {
  /** Unique within a network, for example "conv1.weight"; also the ONNX initialiser name. */
  readonly name: string;
  readonly value: Tensor;
  readonly grad: Float32Array;
}

/** Makes a parameter with a zero gradient. */
export function param(name: string, value: Tensor): Param {
  return { name, value, grad: new Float32Array(value.data.length) };
}

/**
 * What every layer does. `forward` keeps what `backward` needs (the last batch); `backward` takes the loss
 * gradient with respect to the layer's output, adds the parameter gradients to `Param.grad`, and returns the
 * gradient with respect to the layer's input.
 */
export interface LayerBase {
  readonly name: string;
  readonly params: readonly Param[];
  forward(x: Tensor): Tensor;
  backward(dy: Tensor): Tensor;
}
