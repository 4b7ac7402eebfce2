import { tensor, type Tensor } from "../tensor.js";
import type { Rng } from "../rng.js";
import { param, type LayerBase, type Param } from "./layer.js";

/**
 * A 2-D convolution with square kernels, stride 1 and symmetric zero padding (the ONNX Conv operator with
 * `kernel_shape = [k, k]`, `pads = [p, p, p, p]`). Weight [outChannels, inChannels, k, k], bias [outChannels].
 * Input [N, inChannels, H, W], output [N, outChannels, H + 2p − k + 1, W + 2p − k + 1].
 */
export interface Conv2dLayer extends LayerBase {
  readonly kind: "conv2d";
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly padding: number;
  readonly weight: Param;
  readonly bias: Param;
}

/** Options of {@link createConv2d}. */
export interface Conv2dOptions {
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly padding: number;
  /** Draws the initial weights: He-normal (std √(2 / (inChannels·k²))), biases zero. */
  readonly rng: Rng;
}

/** Creates a convolution layer with He-initialised weights. */
export function createConv2d({ name, inChannels, outChannels, kernel, padding, rng }: Conv2dOptions): Conv2dLayer {
  const k = kernel;
  const w = tensor([outChannels, inChannels, k, k]);
  const std = Math.sqrt(2 / (inChannels * k * k));
  for (let i = 0; i < w.data.length; i++) w.data[i] = rng.normal() * std;
  const weight = param(`${name}.weight`, w);
  const bias = param(`${name}.bias`, tensor([outChannels]));
  let input: Tensor | undefined;

  const dims = (x: Tensor): { n: number; h: number; w: number; oh: number; ow: number } => {
    const [n = 0, c = 0, h = 0, wd = 0] = x.shape;
    if (c !== inChannels) throw new Error(`${name}: expected ${inChannels} input channels, got ${c}`);
    return { n, h, w: wd, oh: h + 2 * padding - k + 1, ow: wd + 2 * padding - k + 1 };
  };

  const forward = (x: Tensor): Tensor => {
    input = x;
    const { n, h, w: wd, oh, ow } = dims(x);
    const y = tensor([n, outChannels, oh, ow]);
    const W = weight.value.data;
    const X = x.data;
    const Y = y.data;
    for (let s = 0; s < n; s++) {
      for (let o = 0; o < outChannels; o++) {
        const yo = (s * outChannels + o) * oh * ow;
        Y.fill(bias.value.data[o] as number, yo, yo + oh * ow);
        for (let c = 0; c < inChannels; c++) {
          const xo = (s * inChannels + c) * h * wd;
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const wv = W[((o * inChannels + c) * k + ky) * k + kx] as number;
              const y0 = Math.max(0, padding - ky);
              const y1 = Math.min(oh, h + padding - ky);
              const x0 = Math.max(0, padding - kx);
              const x1 = Math.min(ow, wd + padding - kx);
              for (let oy = y0; oy < y1; oy++) {
                const xrow = xo + (oy + ky - padding) * wd - padding + kx;
                const yrow = yo + oy * ow;
                for (let ox = x0; ox < x1; ox++) Y[yrow + ox] = (Y[yrow + ox] as number) + wv * (X[xrow + ox] as number);
              }
            }
          }
        }
      }
    }
    return y;
  };

  const backward = (dy: Tensor): Tensor => {
    if (input === undefined) throw new Error(`${name}: backward before forward`);
    const x = input;
    const { n, h, w: wd, oh, ow } = dims(x);
    const dx = tensor(x.shape);
    const W = weight.value.data;
    const dW = weight.grad;
    const dB = bias.grad;
    const X = x.data;
    const DY = dy.data;
    const DX = dx.data;
    for (let s = 0; s < n; s++) {
      for (let o = 0; o < outChannels; o++) {
        const yo = (s * outChannels + o) * oh * ow;
        let gb = 0;
        for (let i = 0; i < oh * ow; i++) gb += DY[yo + i] as number;
        dB[o] = (dB[o] as number) + gb;
        for (let c = 0; c < inChannels; c++) {
          const xo = (s * inChannels + c) * h * wd;
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const wi = ((o * inChannels + c) * k + ky) * k + kx;
              const wv = W[wi] as number;
              const y0 = Math.max(0, padding - ky);
              const y1 = Math.min(oh, h + padding - ky);
              const x0 = Math.max(0, padding - kx);
              const x1 = Math.min(ow, wd + padding - kx);
              let gw = 0;
              for (let oy = y0; oy < y1; oy++) {
                const xrow = xo + (oy + ky - padding) * wd - padding + kx;
                const yrow = yo + oy * ow;
                for (let ox = x0; ox < x1; ox++) {
                  const g = DY[yrow + ox] as number;
                  gw += g * (X[xrow + ox] as number);
                  DX[xrow + ox] = (DX[xrow + ox] as number) + g * wv;
                }
              }
              dW[wi] = (dW[wi] as number) + gw;
            }
          }
        }
      }
    }
    return dx;
  };

  return {
    kind: "conv2d",
    name,
    inChannels,
    outChannels,
    kernel,
    padding,
    weight,
    bias,
    params: [weight, bias],
    forward,
    backward,
  };
}
