/**
 * Writes small, real ONNX models for tests: a protobuf encoder of the few `onnx.ModelProto` fields they need
 * (graph, nodes, typed inputs and outputs with fixed or symbolic dimensions, float initializers).
 */

/** An element type of a graph value (ONNX `TensorProto.DataType` names). */
export type OnnxType = "float32" | "float64" | "int32" | "int64" | "uint8" | "bool";

const elemTypes: Readonly<Record<OnnxType, number>> = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float64: 11 };

/** A graph input or output: a name, a type and dimensions (a string is symbolic). */
export interface OnnxValue {
  readonly name: string;
  readonly type: OnnxType;
  readonly dims: readonly (number | string)[];
}

/** A node: an operator with its input and output value names and integer or float attributes. */
export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, number | readonly number[]>>;
}

/** A float32 constant of the graph. */
export interface OnnxInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly values: Float32Array;
}

/** A graph to encode. */
export interface OnnxGraph {
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
  readonly nodes: readonly OnnxNode[];
  readonly initializers?: readonly OnnxInitializer[];
}

class Writer {
  readonly #parts: number[] = [];

  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      this.#parts.push(byte);
    } while (v !== 0n);
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }

  int(field: number, value: number): this {
    return this.tag(field, 0).varint(value);
  }

  bytes(field: number, bytes: Uint8Array): this {
    this.tag(field, 2).varint(bytes.length);
    for (const b of bytes) this.#parts.push(b);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytes(field, new TextEncoder().encode(text));
  }

  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.tag(field, 5);
    for (const x of b) this.#parts.push(x);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.#parts);
  }
}

function valueInfo(w: Writer, value: OnnxValue): void {
  w.string(1, value.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, elemTypes[value.type]);
      tensor.message(2, (shape) => {
        for (const dim of value.dims) {
          shape.message(1, (d) => (typeof dim === "number" ? d.int(1, dim) : d.string(2, dim)));
        }
      });
    }),
  );
}

/** Encodes a graph as an ONNX model file (IR version 8, default opset 13). */
export function encodeOnnxModel(graph: OnnxGraph): Uint8Array {
  const w = new Writer();
  w.int(1, 8);
  w.string(2, "modelrouter-test");
  w.message(7, (g) => {
    graph.nodes.forEach((node, i) => {
      g.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, `node${i}`);
        n.string(4, node.op);
        for (const [name, value] of Object.entries(node.attributes ?? {})) {
          n.message(5, (a) => {
            a.string(1, name);
            if (typeof value === "number" && Number.isInteger(value)) a.int(3, value).int(20, 2);
            else if (typeof value === "number") a.float(2, value).int(20, 1);
            else {
              for (const x of value) a.int(8, x);
              a.int(20, 7);
            }
          });
        }
      });
    });
    g.string(2, "graph");
    for (const init of graph.initializers ?? []) {
      g.message(5, (t) => {
        for (const d of init.dims) t.int(1, d);
        t.int(2, 1);
        t.string(8, init.name);
        t.bytes(9, new Uint8Array(init.values.buffer, init.values.byteOffset, init.values.byteLength));
      });
    }
    for (const input of graph.inputs) g.message(11, (v) => valueInfo(v, input));
    for (const output of graph.outputs) g.message(12, (v) => valueInfo(v, output));
  });
  w.message(8, (o) => o.string(1, "").int(2, 13));
  return w.finish();
}

/** A model whose output is its input: `x` → Identity → `y`, both with the given type and dimensions. */
export function identityModel(type: OnnxType, dims: readonly (number | string)[]): Uint8Array {
  return encodeOnnxModel({
    inputs: [{ name: "x", type, dims }],
    outputs: [{ name: "y", type, dims }],
    nodes: [{ op: "Identity", inputs: ["x"], outputs: ["y"] }],
  });
}

/**
 * A deliberately slow model for tests that need inferences which take a while: `x` [1, n] is spread to
 * [rows, n] (outer product with ones), multiplied `depth` times by an n × n matrix of 1/n (the numbers stay
 * finite), then summed: `y` [1, 1] = rows · Σx.
 */
export function slowModel(n: number, depth: number, rows: number): Uint8Array {
  const nodes: OnnxNode[] = [{ op: "MatMul", inputs: ["ones", "x"], outputs: ["h0"] }];
  for (let i = 0; i < depth; i++) nodes.push({ op: "MatMul", inputs: [`h${i}`, "w"], outputs: [`h${i + 1}`] });
  nodes.push({ op: "ReduceSum", inputs: [`h${depth}`], outputs: ["y"], attributes: { keepdims: 1 } });
  return encodeOnnxModel({
    inputs: [{ name: "x", type: "float32", dims: [1, n] }],
    outputs: [{ name: "y", type: "float32", dims: [1, 1] }],
    nodes,
    initializers: [
      { name: "ones", dims: [rows, 1], values: new Float32Array(rows).fill(1) },
      { name: "w", dims: [n, n], values: new Float32Array(n * n).fill(1 / n) },
    ],
  });
}
