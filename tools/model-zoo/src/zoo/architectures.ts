import { createConv2d } from "../layers/conv2d.js";
import { createDense } from "../layers/dense.js";
import { createFlatten } from "../layers/flatten.js";
import { createMaxPool2d } from "../layers/max-pool2d.js";
import { createNetwork, type Network } from "../layers/network.js";
import { createRelu } from "../layers/relu.js";
import type { Rng } from "../rng.js";

/**
 * The digits CNN for 28×28 inputs [1, 28, 28]: conv 3×3 (8 filters, pad 1) → ReLU → max-pool 2 →
 * conv 3×3 (16 filters, pad 1) → ReLU → max-pool 2 → flatten (16·7·7 = 784) → dense 64 → ReLU → dense 10.
 */
export function createDigitsCnn(rng: Rng): Network {
  return createNetwork(
    [
      createConv2d({ name: "conv1", inChannels: 1, outChannels: 8, kernel: 3, padding: 1, rng }),
      createRelu({ name: "relu1" }),
      createMaxPool2d({ name: "pool1", size: 2 }),
      createConv2d({ name: "conv2", inChannels: 8, outChannels: 16, kernel: 3, padding: 1, rng }),
      createRelu({ name: "relu2" }),
      createMaxPool2d({ name: "pool2", size: 2 }),
      createFlatten({ name: "flatten" }),
      createDense({ name: "fc1", inputs: 16 * 7 * 7, outputs: 64, rng }),
      createRelu({ name: "relu3" }),
      createDense({ name: "fc2", inputs: 64, outputs: 10, rng }),
    ],
    [1, 28, 28],
    10,
  );
}

/** A one-hidden-layer perceptron: dense `inputs`→`hidden` → ReLU → dense `hidden`→`outputs`, input [inputs]. */
export function createMlp(rng: Rng, { inputs, hidden, outputs }: { inputs: number; hidden: number; outputs: number }): Network {
  return createNetwork(
    [
      createDense({ name: "fc1", inputs, outputs: hidden, rng }),
      createRelu({ name: "relu1" }),
      createDense({ name: "fc2", inputs: hidden, outputs, rng }),
    ],
    [inputs],
    outputs,
  );
}
