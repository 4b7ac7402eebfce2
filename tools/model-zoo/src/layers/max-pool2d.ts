import { tensor, type Tensor } from "../tensor.js";
import type { LayerBase } from "./layer.js";

/**
 * Non-overlapping max pooling with a square window (the ONNX MaxPool operator with `kernel_shape = strides =
 * [size, size]`). Input [N, C, H, W] with H and W multiples of `size`; output [N, C, H/size, W/size].
 * The gradient flows to the first maximum of each window.
 */
export interface MaxPool2dLayer extends LayerBase {
  readonly kind: "maxpool2d";
  readonly size: number;
}

/** Creates a max-pooling layer. */
export function createMaxPool2d({ name, size }: { readonly name: string; readonly size: number }): MaxPool2dLayer {
  let inputShape: readonly number[] = [];
  let winners = new Int32Array(0);

  const forward = (x: Tensor): Tensor => {
    const [n = 0, c = 0, h = 0, w = 0] = x.shape;
    if (h % size !== 0 || w % size !== 0) throw new Error(`${name}: ${h}×${w} is not a multiple of ${size}`);
    const oh = h / size;
    const ow = w / size;
    const y = tensor([n, c, oh, ow]);
    winners = new Int32Array(y.data.length);
    inputShape = x.shape;
    for (let plane = 0; plane < n * c; plane++) {
      const xo = plane * h * w;
      const yo = plane * oh * ow;
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let best = -Infinity;
          let bestIndex = -1;
          for (let dy = 0; dy < size; dy++) {
            for (let dx = 0; dx < size; dx++) {
              const i = xo + (oy * size + dy) * w + ox * size + dx;
              const v = x.data[i] as number;
              if (v > best) {
                best = v;
                bestIndex = i;
              }
            }
          }
          y.data[yo + oy * ow + ox] = best;
          winners[yo + oy * ow + ox] = bestIndex;
        }
      }
    }
    return y;
  };

  const backward = (dy: Tensor): Tensor => {
    const dx = tensor(inputShape);
    for (let i = 0; i < dy.data.length; i++) {
      const at = winners[i] as number;
      dx.data[at] = (dx.data[at] as number) + (dy.data[i] as number);
    }
    return dx;
  };

  return { kind: "maxpool2d", name, size, params: [], forward, backward };
}
