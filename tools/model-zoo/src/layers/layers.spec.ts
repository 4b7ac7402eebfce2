import { describe, expect, it } from "@jest/globals";
import { softmaxCrossEntropy } from "../loss/softmax-cross-entropy.js";
import { createRng } from "../rng.js";
import { tensor, type Tensor } from "../tensor.js";
import { createConv2d } from "./conv2d.js";
import { createDense } from "./dense.js";
import { createFlatten } from "./flatten.js";
import { createMaxPool2d } from "./max-pool2d.js";
import { createNetwork, parameterCount, type Network } from "./network.js";
import { createRelu } from "./relu.js";

function randomTensor(shape: number[], seed: number): Tensor {
  const rng = createRng(seed);
  const t = tensor(shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = rng.normal();
  return t;
}

/** Compares back-propagated gradients with central differences of the loss, for every parameter and input. */
function checkGradients(network: Network, x: Tensor, labels: number[]): void {
  const loss = (): number => softmaxCrossEntropy(network.forward(x), labels).loss;
  network.params.forEach((p) => p.grad.fill(0));
  const { grad } = softmaxCrossEntropy(network.forward(x), labels);
  network.backward(grad);
  const h = 1e-3;
  for (const p of network.params) {
    for (let i = 0; i < p.value.data.length; i++) {
      const old = p.value.data[i] as number;
      p.value.data[i] = old + h;
      const plus = loss();
      p.value.data[i] = old - h;
      const minus = loss();
      p.value.data[i] = old;
      const numeric = (plus - minus) / (2 * h);
      expect(Math.abs(numeric - (p.grad[i] as number))).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
    }
  }
}

describe("layers", () => {
  it("dense computes x·Wᵀ + b", () => {
    const dense = createDense({ name: "d", inputs: 2, outputs: 2, rng: createRng(1) });
    dense.weight.value.data.set([1, 2, 3, 4]);
    dense.bias.value.data.set([0.5, -1]);
    const y = dense.forward(tensor([1, 2], Float32Array.from([1, -1])));
    expect(Array.from(y.data)).toEqual([1 - 2 + 0.5, 3 - 4 - 1]);
  });

  it("conv2d with zero padding keeps the size and sums the kernel over the neighbourhood", () => {
    const conv = createConv2d({ name: "c", inChannels: 1, outChannels: 1, kernel: 3, padding: 1, rng: createRng(1) });
    conv.weight.value.data.fill(1);
    conv.bias.value.data[0] = 0;
    const y = conv.forward(tensor([1, 1, 3, 3], Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9])));
    expect(y.shape).toEqual([1, 1, 3, 3]);
    expect(Array.from(y.data)).toEqual([12, 21, 16, 27, 45, 33, 24, 39, 28]);
  });

  it("max-pool keeps the largest value of each window and routes the gradient to it", () => {
    const pool = createMaxPool2d({ name: "p", size: 2 });
    const y = pool.forward(tensor([1, 1, 2, 4], Float32Array.from([1, 5, 2, 0, 3, 4, 8, 7])));
    expect(Array.from(y.data)).toEqual([5, 8]);
    const dx = pool.backward(tensor([1, 1, 1, 2], Float32Array.from([10, 20])));
    expect(Array.from(dx.data)).toEqual([0, 10, 0, 0, 0, 0, 20, 0]);
  });

  it("back-propagates the exact gradients of an MLP", () => {
    const rng = createRng(3);
    const mlp = createNetwork(
      [createDense({ name: "a", inputs: 6, outputs: 5, rng }), createRelu({ name: "r" }), createDense({ name: "b", inputs: 5, outputs: 3, rng })],
      [6],
      3,
    );
    checkGradients(mlp, randomTensor([4, 6], 11), [0, 1, 2, 1]);
  });

  it("back-propagates the exact gradients of a CNN (conv, ReLU, max-pool, flatten, dense)", () => {
    const rng = createRng(5);
    const cnn = createNetwork(
      [
        createConv2d({ name: "c", inChannels: 2, outChannels: 3, kernel: 3, padding: 1, rng }),
        createRelu({ name: "r" }),
        createMaxPool2d({ name: "p", size: 2 }),
        createFlatten({ name: "f" }),
        createDense({ name: "d", inputs: 3 * 2 * 2, outputs: 4, rng }),
      ],
      [2, 4, 4],
      4,
    );
    expect(parameterCount(cnn)).toBe(3 * 2 * 9 + 3 + 12 * 4 + 4);
    checkGradients(cnn, randomTensor([2, 2, 4, 4], 13), [3, 0]);
  });

  it("softmax cross-entropy is log(classes) for equal logits, with gradient (p − onehot)/N", () => {
    const { loss, grad } = softmaxCrossEntropy(tensor([1, 4]), [2]);
    expect(loss).toBeCloseTo(Math.log(4), 6);
    expect(Array.from(grad.data)).toEqual([0.25, 0.25, -0.75, 0.25]);
  });
});
