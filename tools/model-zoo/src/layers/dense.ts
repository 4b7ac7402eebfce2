import { tensor, type Tensor } from "../tensor.js";
import type { Rng } from "../rng.js";
import { param, type LayerBase, type Param } from "./layer.js";

/** A fully connected layer: y = x · Wᵀ + b, with W of shape [outputs, inputs] (the ONNX Gemm transB=1 layout). */
export interface DenseLayer extends LayerBase {
  readonly kind: "dense";
  readonly inputs: number;
  readonly outputs: number;
  readonly weight: Param;
  readonly bias: Param;
}

/** Options of {@link createDense}. */
export interface DenseOptions {
  readonly name: string;
  readonly inputs: number;
  readonly outputs: number;
  /** Draws the initial weights: He-normal (std √(2/inputs)), biases zero. */
  readonly rng: Rng;
  /**
   * For a first layer fed mostly-zero inputs (hashed n-gram counts): forward and backward visit only each
   * sample's non-zero inputs, and backward returns a zero input gradient (nothing before the layer needs it).
   * The results equal the dense path's. Default false.
   */
  readonly sparseInputs?: boolean;
}

/** Creates a dense layer with He-initialised weights. Input [N, inputs], output [N, outputs]. */
export function createDense({ name, inputs, outputs, rng, sparseInputs = false }: DenseOptions): DenseLayer {
  const w = tensor([outputs, inputs]);
  const std = Math.sqrt(2 / inputs);
  for (let i = 0; i < w.data.length; i++) w.data[i] = rng.normal() * std;
  const weight = param(`${name}.weight`, w);
  const bias = param(`${name}.bias`, tensor([outputs]));
  let input: Tensor | undefined;

  const forward = (x: Tensor): Tensor => {
    input = x;
    const n = x.shape[0] ?? 0;
    const y = tensor([n, outputs]);
    const W = weight.value.data;
    const B = bias.value.data;
    for (let s = 0; s < n; s++) {
      const xo = s * inputs;
      for (let o = 0; o < outputs; o++) {
        const wo = o * inputs;
        let sum = B[o] as number;
        for (let i = 0; i < inputs; i++) sum += (W[wo + i] as number) * (x.data[xo + i] as number);
        y.data[s * outputs + o] = sum;
      }
    }
    return y;
  };

  const backward = (dy: Tensor): Tensor => {
    if (input === undefined) throw new Error(`${name}: backward before forward`);
    const x = input;
    const n = x.shape[0] ?? 0;
    const dx = tensor(x.shape);
    const W = weight.value.data;
    const dW = weight.grad;
    const dB = bias.grad;
    for (let s = 0; s < n; s++) {
      const xo = s * inputs;
      for (let o = 0; o < outputs; o++) {
        const g = dy.data[s * outputs + o] as number;
        if (g === 0) continue;
        const wo = o * inputs;
        dB[o] = (dB[o] as number) + g;
        for (let i = 0; i < inputs; i++) {
          dW[wo + i] = (dW[wo + i] as number) + g * (x.data[xo + i] as number);
          dx.data[xo + i] = (dx.data[xo + i] as number) + g * (W[wo + i] as number);
        }
      }
    }
    return dx;
  };

  if (sparseInputs) {
    const sparse = sparseDensePasses(weight, bias, inputs, outputs);
    return { kind: "dense", name, inputs, outputs, weight, bias, params: [weight, bias], ...sparse };
  }
  return { kind: "dense", name, inputs, outputs, weight, bias, params: [weight, bias], forward, backward };
}

/** The forward and backward passes of a dense layer over the non-zero inputs of each sample only. */
function sparseDensePasses(weight: Param, bias: Param, inputs: number, outputs: number): Pick<DenseLayer, "forward" | "backward"> {
  let input: Tensor | undefined;
  let nonZero: Int32Array[] = [];
  const forward = (x: Tensor): Tensor => {
    input = x;
    const n = x.shape[0] ?? 0;
    nonZero = [];
    const y = tensor([n, outputs]);
    const W = weight.value.data;
    const B = bias.value.data;
    for (let s = 0; s < n; s++) {
      const xo = s * inputs;
      const nz: number[] = [];
      for (let i = 0; i < inputs; i++) if ((x.data[xo + i] as number) !== 0) nz.push(i);
      const indices = Int32Array.from(nz);
      nonZero.push(indices);
      for (let o = 0; o < outputs; o++) {
        const wo = o * inputs;
        let sum = B[o] as number;
        for (const i of indices) sum += (W[wo + i] as number) * (x.data[xo + i] as number);
        y.data[s * outputs + o] = sum;
      }
    }
    return y;
  };
  const backward = (dy: Tensor): Tensor => {
    if (input === undefined) throw new Error(`${weight.name}: backward before forward`);
    const x = input;
    const n = x.shape[0] ?? 0;
    for (let s = 0; s < n; s++) {
      const xo = s * inputs;
      const indices = nonZero[s] as Int32Array;
      for (let o = 0; o < outputs; o++) {
        const g = dy.data[s * outputs + o] as number;
        if (g === 0) continue;
        const wo = o * inputs;
        bias.grad[o] = (bias.grad[o] as number) + g;
        for (const i of indices) weight.grad[wo + i] = (weight.grad[wo + i] as number) + g * (x.data[xo + i] as number);
      }
    }
    return tensor(x.shape);
  };
  return { forward, backward };
}
