/**
 * The batching benchmark's model: a multi-layer perceptron whose input's first dimension is symbolic (a batch
 * axis), written as an ONNX file by a minimal protobuf encoder, with fixed pseudo-random weights.
 */

/** The layer widths: input features, hidden layers, output classes. */
export const MLP_WIDTHS = [256, 1024, 1024, 16] as const;

class Writer {
  readonly #bytes: number[] = [];

  varint(value: number): this {
    let v = value;
    while (v >= 0x80) {
      this.#bytes.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.#bytes.push(v);
    return this;
  }

  int(field: number, value: number): this {
    return this.varint(field << 3).varint(value);
  }

  bytes(field: number, bytes: Uint8Array): this {
    this.varint((field << 3) | 2).varint(bytes.length);
    for (const b of bytes) this.#bytes.push(b);
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

  finish(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

/** A float32 graph value of dimensions `dims` (a string is symbolic). */
function valueInfo(w: Writer, name: string, dims: readonly (number | string)[]): void {
  w.string(1, name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, 1);
      tensor.message(2, (shape) => {
        for (const dim of dims) shape.message(1, (d) => (typeof dim === "number" ? d.int(1, dim) : d.string(2, dim)));
      });
    }),
  );
}

/** Deterministic weights in [-1, 1] / √fanIn (a linear congruential generator), so that activations stay finite. */
function weights(rows: number, cols: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const scale = 1 / Math.sqrt(rows);
  return Float32Array.from({ length: rows * cols }, () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return (state / 2 ** 32 - 0.5) * 2 * scale;
  });
}

/**
 * The model file: `x` [batch, 256] → MatMul → Relu → MatMul → Relu → MatMul → `y` [batch, 16]. About 5 MiB of
 * weights: one row at a time, each run reads every weight once (memory-bound); a batch reads them once for
 * all its rows, which is where batching gains.
 */
export function batchableMlp(): Uint8Array {
  const w = new Writer();
  w.int(1, 8);
  w.string(2, "modelrouter-bench");
  w.message(7, (g) => {
    const layers = MLP_WIDTHS.length - 1;
    let input = "x";
    for (let i = 0; i < layers; i++) {
      const product = i === layers - 1 ? "y" : `h${i}`;
      g.message(1, (n) => n.string(1, input).string(1, `w${i}`).string(2, product).string(3, `matmul${i}`).string(4, "MatMul"));
      input = product;
      if (i < layers - 1) {
        const relu = `r${i}`;
        g.message(1, (n) => n.string(1, input).string(2, relu).string(3, `relu${i}`).string(4, "Relu"));
        input = relu;
      }
    }
    g.string(2, "mlp");
    for (let i = 0; i < layers; i++) {
      const rows = MLP_WIDTHS[i] ?? 1;
      const cols = MLP_WIDTHS[i + 1] ?? 1;
      const values = weights(rows, cols, i + 1);
      g.message(5, (t) => {
        t.int(1, rows).int(1, cols).int(2, 1).string(8, `w${i}`);
        t.bytes(9, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      });
    }
    g.message(11, (v) => valueInfo(v, "x", ["batch", MLP_WIDTHS[0]]));
    g.message(12, (v) => valueInfo(v, "y", ["batch", MLP_WIDTHS[MLP_WIDTHS.length - 1] ?? 1]));
  });
  w.message(8, (o) => o.string(1, "").int(2, 13));
  return w.finish();
}
