import { describe, expect, it } from "@jest/globals";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { createConv2d } from "../layers/conv2d.js";
import { createDense } from "../layers/dense.js";
import { createFlatten } from "../layers/flatten.js";
import { createMaxPool2d } from "../layers/max-pool2d.js";
import { createNetwork, type Network } from "../layers/network.js";
import { createRelu } from "../layers/relu.js";
import { createRng } from "../rng.js";
import { sizeOf, tensor } from "../tensor.js";
import { encodeOnnxModel } from "./encode-onnx.js";
import { networkToOnnx } from "./export-network.js";

function smallCnn(): Network {
  const rng = createRng(21);
  const net = createNetwork(
    [
      createConv2d({ name: "conv1", inChannels: 1, outChannels: 4, kernel: 3, padding: 1, rng }),
      createRelu({ name: "relu1" }),
      createMaxPool2d({ name: "pool1", size: 2 }),
      createFlatten({ name: "flatten" }),
      createDense({ name: "fc1", inputs: 4 * 4 * 4, outputs: 6, rng }),
      createRelu({ name: "relu2" }),
      createDense({ name: "fc2", inputs: 6, outputs: 3, rng }),
    ],
    [1, 8, 8],
    3,
  );
  // Non-zero biases, so that the export of biases is checked too.
  net.params.forEach((p) => {
    if (p.name.endsWith(".bias")) p.value.data.forEach((_, i, a) => (a[i] = 0.1 * (i + 1)));
  });
  return net;
}

async function compare(net: Network, samples: number): Promise<void> {
  const bytes = encodeOnnxModel(networkToOnnx(net, { name: "test", docString: "test model", producerVersion: "0.0.0" }));
  const session = await InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    expect(session.inputNames).toEqual(["input"]);
    expect(session.outputNames).toEqual(["logits"]);
    const rng = createRng(99);
    for (let s = 0; s < samples; s++) {
      const x = tensor([1, ...net.inputShape]);
      for (let i = 0; i < x.data.length; i++) x.data[i] = rng.next();
      const expected = net.forward(x).data;
      const out = await session.run({ input: new Tensor("float32", x.data, [1, ...net.inputShape]) });
      const actual = out["logits"]?.data as Float32Array;
      expect(out["logits"]?.dims).toEqual([1, net.outputs]);
      expected.forEach((v, i) => expect(Math.abs(v - (actual[i] as number))).toBeLessThan(1e-5));
    }
  } finally {
    await session.release();
  }
}

describe("networkToOnnx + encodeOnnxModel", () => {
  it("writes a CNN that onnxruntime loads and that computes the same logits as the TypeScript forward pass", async () => {
    await compare(smallCnn(), 5);
  });

  it("writes an MLP (Gemm with transB) the same way", async () => {
    const rng = createRng(4);
    const mlp = createNetwork(
      [createDense({ name: "fc1", inputs: 10, outputs: 7, rng }), createRelu({ name: "r" }), createDense({ name: "fc2", inputs: 7, outputs: 4, rng })],
      [10],
      4,
    );
    await compare(mlp, 5);
  });

  it("declares opset 13, the fixed input shape and every parameter as an initialiser", () => {
    const net = smallCnn();
    const model = networkToOnnx(net, { name: "m", docString: "", producerVersion: "1" });
    expect([model.irVersion, model.opsetVersion]).toEqual([7, 13]);
    expect(model.graph.inputs).toEqual([{ name: "input", dims: [1, 1, 8, 8] }]);
    expect(model.graph.outputs).toEqual([{ name: "logits", dims: [1, 3] }]);
    expect(model.graph.nodes.map((n) => n.opType)).toEqual(["Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm"]);
    expect(model.graph.initializers.map((t) => [t.name, sizeOf(t.dims)])).toEqual(
      net.params.map((p) => [p.name, p.value.data.length]),
    );
  });
});
