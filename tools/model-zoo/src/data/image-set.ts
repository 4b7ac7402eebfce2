/** Labelled 8-bit grayscale images of one size: `count` images of width × height bytes, row-major, packed. */
export interface ImageSet {
  /** For example "mnist" or "sklearn-digits". */
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly count: number;
  readonly pixels: Uint8Array;
  /** The digit of each image, 0–9. */
  readonly labels: Uint8Array;
}

/** The pixels of image `index` (a view, not a copy). */
export function imageAt(set: ImageSet, index: number): Uint8Array {
  const size = set.width * set.height;
  return set.pixels.subarray(index * size, (index + 1) * size);
}

/** A new set holding images `indices` of `set`, in that order. */
export function subset(set: ImageSet, indices: readonly number[], name = set.name): ImageSet {
  const size = set.width * set.height;
  const pixels = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  indices.forEach((from, to) => {
    pixels.set(imageAt(set, from), to * size);
    labels[to] = set.labels[from] as number;
  });
  return { name, width: set.width, height: set.height, count: indices.length, pixels, labels };
}
