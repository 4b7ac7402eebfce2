import type { Layer, Network } from "../layers/network.js";
import type { OnnxModel, OnnxNode, OnnxTensor } from "./onnx-model.js";

/** Options of {@link networkToOnnx}. */
export interface ExportOptions {
  /** The graph name, for example the model name. */
  readonly name: string;
  readonly docString: string;
  /** Name of the graph input. Default "input". */
  readonly inputName?: string;
  /** Name of the graph output. Default "logits". */
  readonly outputName?: string;
  readonly producerVersion: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The ONNX opset the exporter targets. */
export const OPSET_VERSION = 13;
/** The IR version that goes with opset 13. */
export const IR_VERSION = 7;

/** The ONNX nodes for one layer, reading `input` and writing `output`. */
function layerNodes(layer: Layer, input: string, output: string): OnnxNode[] {
  const node = (opType: string, inputs: string[], attributes: OnnxNode["attributes"] = []): OnnxNode => ({
    name: layer.name,
    opType,
    inputs,
    outputs: [output],
    attributes,
  });
  switch (layer.kind) {
    case "conv2d":
      return [
        node("Conv", [input, layer.weight.name, layer.bias.name], [
          { name: "kernel_shape", kind: "ints", value: [layer.kernel, layer.kernel] },
          { name: "pads", kind: "ints", value: [layer.padding, layer.padding, layer.padding, layer.padding] },
          { name: "strides", kind: "ints", value: [1, 1] },
        ]),
      ];
    case "maxpool2d":
      return [
        node("MaxPool", [input], [
          { name: "kernel_shape", kind: "ints", value: [layer.size, layer.size] },
          { name: "strides", kind: "ints", value: [layer.size, layer.size] },
        ]),
      ];
    case "relu":
      return [node("Relu", [input])];
    case "flatten":
      return [node("Flatten", [input], [{ name: "axis", kind: "int", value: 1 }])];
    case "dense":
      return [
        node("Gemm", [input, layer.weight.name, layer.bias.name], [
          { name: "alpha", kind: "float", value: 1 },
          { name: "beta", kind: "float", value: 1 },
          { name: "transB", kind: "int", value: 1 },
        ]),
      ];
  }
}

/**
 * Describes a trained network as an ONNX model (opset 13, float32, batch of one): one node per layer
 * (Conv, MaxPool, Relu, Flatten, Gemm with transB = 1), the parameters as initialisers. Input
 * [1, …inputShape], output [1, outputs].
 */
export function networkToOnnx(network: Network, options: ExportOptions): OnnxModel {
  const inputName = options.inputName ?? "input";
  const outputName = options.outputName ?? "logits";
  const nodes: OnnxNode[] = [];
  let current = inputName;
  network.layers.forEach((layer, i) => {
    const next = i === network.layers.length - 1 ? outputName : `${layer.name}.out`;
    nodes.push(...layerNodes(layer, current, next));
    current = next;
  });
  const initializers: OnnxTensor[] = network.params.map((p) => ({
    name: p.name,
    dims: p.value.shape,
    data: p.value.data,
  }));
  return {
    irVersion: IR_VERSION,
    opsetVersion: OPSET_VERSION,
    producerName: "modelrouter-model-zoo",
    producerVersion: options.producerVersion,
    docString: options.docString,
    metadata: options.metadata ?? {},
    graph: {
      name: options.name,
      nodes,
      initializers,
      inputs: [{ name: inputName, dims: [1, ...network.inputShape] }],
      outputs: [{ name: outputName, dims: [1, network.outputs] }],
    },
  };
}
