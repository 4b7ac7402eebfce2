/**
 * The subset of the ONNX model format (onnx/onnx.proto, IR version 7) that the exporter writes, as plain
 * types. Tensors are float32 only.
 */

/** ONNX TensorProto.DataType.FLOAT. */
export const ONNX_FLOAT = 1;

/** A float32 constant (an initialiser): weights or biases. */
export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** A node attribute: an integer, a float or a list of integers. */
export type OnnxAttribute =
  | { readonly name: string; readonly kind: "int"; readonly value: number }
  | { readonly name: string; readonly kind: "float"; readonly value: number }
  | { readonly name: string; readonly kind: "ints"; readonly value: readonly number[] };

/** One operator application. */
export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly OnnxAttribute[];
}

/** A graph input or output: a float32 tensor of fixed shape. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly dims: readonly number[];
}

/** A computation graph with its constants. Nodes are in topological order. */
export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

/** A whole model file. */
export interface OnnxModel {
  /** 7 for opset 13 (ONNX 1.8). */
  readonly irVersion: number;
  /** The version of the default ("ai.onnx") operator set, for example 13. */
  readonly opsetVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString: string;
  readonly graph: OnnxGraph;
  /** `metadata_props`: free key/value pairs, readable through onnxruntime's model metadata. */
  readonly metadata: Readonly<Record<string, string>>;
}
