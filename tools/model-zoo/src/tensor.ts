/** A dense float32 tensor in row-major order. The first dimension is the batch. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** The number of elements of a tensor of this shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Makes a tensor of `shape`, zero-filled or wrapping `data` (whose length must match). */
export function tensor(shape: readonly number[], data?: Float32Array): Tensor {
  const size = sizeOf(shape);
  if (data !== undefined && data.length !== size) {
    throw new Error(`tensor data has ${data.length} elements, shape [${shape.join(", ")}] needs ${size}`);
  }
  return { shape: [...shape], data: data ?? new Float32Array(size) };
}

/** Index of the largest of `length` values starting at `offset` (the first one on ties). */
export function argmax(values: ArrayLike<number>, offset = 0, length = values.length - offset): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = values[offset + i] as number;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}
