import { tensor, type Tensor } from "../tensor.js";
import type { LayerBase } from "./layer.js";

/** The rectifier y = max(0, x), elementwise (the ONNX Relu operator). */
export interface ReluLayer extends LayerBase {
  readonly kind: "relu";
}

/** Creates a ReLU layer. */
export function createRelu({ name }: { readonly name: string }): ReluLayer {
  let input: Tensor | undefined;
  const forward = (x: Tensor): Tensor => {
    input = x;
    const y = tensor(x.shape);
    for (let i = 0; i < x.data.length; i++) {
      const v = x.data[i] as number;
      y.data[i] = v > 0 ? v : 0;
    }
    return y;
  };
  const backward = (dy: Tensor): Tensor => {
    if (input === undefined) throw new Error(`${name}: backward before forward`);
    const dx = tensor(dy.shape);
    for (let i = 0; i < dy.data.length; i++) dx.data[i] = (input.data[i] as number) > 0 ? (dy.data[i] as number) : 0;
    return dx;
  };
  return { kind: "relu", name, params: [], forward, backward };
}
