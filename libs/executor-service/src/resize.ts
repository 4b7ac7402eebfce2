/**
 * Resizes one channel (row-major, `inWidth × inHeight` values) to `outWidth × outHeight`, to float32.
 *
 * - Shrinking in both axes (`out < in` for width and height): area averaging. Each output pixel covers the
 *   source rectangle `[x·in/out, (x+1)·in/out)` in each axis; its value is the mean of the source pixels under
 *   it, each weighted by the fraction of it that is covered.
 * - Otherwise: bilinear interpolation with half-pixel centres, `src = (dst + 0.5)·in/out − 0.5`, clamped to
 *   `[0, in − 1]` (edge pixels repeat). Equal sizes keep the values.
 *
 * Values are not rounded.
 */
export function resizeChannel(
  src: ArrayLike<number>,
  inWidth: number,
  inHeight: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  if (outWidth < inWidth && outHeight < inHeight) return areaResize(src, inWidth, inHeight, outWidth, outHeight);
  return bilinearResize(src, inWidth, inHeight, outWidth, outHeight);
}

/** The source pixels one output pixel of an axis covers, and the covered length of each (in source pixels). */
interface Coverage {
  readonly first: number;
  readonly weights: readonly number[];
}

function areaCoverage(inSize: number, outSize: number): Coverage[] {
  const step = inSize / outSize;
  return Array.from({ length: outSize }, (_, o): Coverage => {
    const start = o * step;
    const end = (o + 1) * step;
    const first = Math.floor(start);
    const weights: number[] = [];
    for (let i = first; i < Math.min(inSize, Math.ceil(end)); i++) {
      weights.push(Math.max(0, Math.min(end, i + 1) - Math.max(start, i)));
    }
    return { first, weights };
  });
}

function areaResize(src: ArrayLike<number>, inW: number, inH: number, outW: number, outH: number): Float32Array {
  const xs = areaCoverage(inW, outW);
  const ys = areaCoverage(inH, outH);
  const norm = (inW / outW) * (inH / outH);
  const rows = new Float64Array(inH * outW);
  for (let y = 0; y < inH; y++) {
    for (let ox = 0; ox < outW; ox++) {
      const { first, weights } = xs[ox] as Coverage;
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += (src[y * inW + first + k] as number) * (weights[k] as number);
      rows[y * outW + ox] = sum;
    }
  }
  const out = new Float32Array(outW * outH);
  for (let oy = 0; oy < outH; oy++) {
    const { first, weights } = ys[oy] as Coverage;
    for (let ox = 0; ox < outW; ox++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += (rows[(first + k) * outW + ox] as number) * (weights[k] as number);
      out[oy * outW + ox] = sum / norm;
    }
  }
  return out;
}

/** For each output index of an axis: the two source indices and the weight of the second. */
interface Taps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly frac: Float64Array;
}

function bilinearTaps(inSize: number, outSize: number): Taps {
  const taps: Taps = { i0: new Int32Array(outSize), i1: new Int32Array(outSize), frac: new Float64Array(outSize) };
  for (let o = 0; o < outSize; o++) {
    const s = Math.min(Math.max((o + 0.5) * (inSize / outSize) - 0.5, 0), inSize - 1);
    const i0 = Math.floor(s);
    taps.i0[o] = i0;
    taps.i1[o] = Math.min(i0 + 1, inSize - 1);
    taps.frac[o] = s - i0;
  }
  return taps;
}

function bilinearResize(src: ArrayLike<number>, inW: number, inH: number, outW: number, outH: number): Float32Array {
  const xs = bilinearTaps(inW, outW);
  const ys = bilinearTaps(inH, outH);
  const out = new Float32Array(outW * outH);
  for (let oy = 0; oy < outH; oy++) {
    const r0 = (ys.i0[oy] as number) * inW;
    const r1 = (ys.i1[oy] as number) * inW;
    const fy = ys.frac[oy] as number;
    for (let ox = 0; ox < outW; ox++) {
      const x0 = xs.i0[ox] as number;
      const x1 = xs.i1[ox] as number;
      const fx = xs.frac[ox] as number;
      const top = (src[r0 + x0] as number) * (1 - fx) + (src[r0 + x1] as number) * fx;
      const bottom = (src[r1 + x0] as number) * (1 - fx) + (src[r1 + x1] as number) * fx;
      out[oy * outW + ox] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}
