import { tensor, type Tensor } from "../tensor.js";

/** The mean loss of a batch and its gradient with respect to the logits. */
export interface LossResult {
  /** Mean cross-entropy in nats. */
  readonly loss: number;
  /** ∂loss/∂logits, [N, classes]: (softmax − one-hot) / N. */
  readonly grad: Tensor;
}

/** Softmax followed by cross-entropy against integer labels, computed stably (max subtracted). */
export function softmaxCrossEntropy(logits: Tensor, labels: ArrayLike<number>): LossResult {
  const [n = 0, classes = 0] = logits.shape;
  const grad = tensor(logits.shape);
  let loss = 0;
  for (let s = 0; s < n; s++) {
    const o = s * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits.data[o + c] as number);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp((logits.data[o + c] as number) - max);
    const label = labels[s] as number;
    loss += Math.log(sum) - ((logits.data[o + label] as number) - max);
    for (let c = 0; c < classes; c++) {
      const p = Math.exp((logits.data[o + c] as number) - max) / sum;
      grad.data[o + c] = (p - (c === label ? 1 : 0)) / n;
    }
  }
  return { loss: loss / n, grad };
}
