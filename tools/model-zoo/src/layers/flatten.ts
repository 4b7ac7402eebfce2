import { sizeOf, tensor, type Tensor } from "../tensor.js";
import type { LayerBase } from "./layer.js";

/** Reshapes [N, …] to [N, product of the rest] without moving data (the ONNX Flatten operator, axis 1). */
export interface FlattenLayer extends LayerBase {
  readonly kind: "flatten";
}

/** Creates a flatten layer. */
export function createFlatten({ name }: { readonly name: string }): FlattenLayer {
  let inputShape: readonly number[] = [];
  const forward = (x: Tensor): Tensor => {
    inputShape = x.shape;
    const [n = 0, ...rest] = x.shape;
    return tensor([n, sizeOf(rest)], x.data);
  };
  const backward = (dy: Tensor): Tensor => tensor(inputShape, dy.data);
  return { kind: "flatten", name, params: [], forward, backward };
}
