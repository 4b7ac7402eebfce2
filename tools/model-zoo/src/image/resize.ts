/**
 * Resizes one channel plane (row-major, width × height) the way the executor does: when the image shrinks in
 * both axes, area averaging (each output pixel is the mean of the source pixels it covers, partly covered
 * pixels weighted by the covered fraction); otherwise bilinear interpolation with half-pixel centres
 * (src = (dst + 0.5) · in/out − 0.5, clamped to the edge). Values are not rounded.
 */
export function resizePlane(
  src: ArrayLike<number>,
  inWidth: number,
  inHeight: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  if (outWidth < inWidth && outHeight < inHeight) return areaResize(src, inWidth, inHeight, outWidth, outHeight);
  return bilinearResize(src, inWidth, inHeight, outWidth, outHeight);
}

/** For each output index, the source indices it covers and the covered length of each (in source pixels). */
function coverage(inSize: number, outSize: number): { index: number; weight: number }[][] {
  const step = inSize / outSize;
  return Array.from({ length: outSize }, (_, o) => {
    const start = o * step;
    const end = (o + 1) * step;
    const taps: { index: number; weight: number }[] = [];
    for (let i = Math.floor(start); i < Math.min(inSize, Math.ceil(end)); i++) {
      const weight = Math.min(end, i + 1) - Math.max(start, i);
      if (weight > 0) taps.push({ index: i, weight });
    }
    return taps;
  });
}

function areaResize(src: ArrayLike<number>, inW: number, inH: number, outW: number, outH: number): Float32Array {
  const xs = coverage(inW, outW);
  const ys = coverage(inH, outH);
  const norm = (inW / outW) * (inH / outH);
  const out = new Float32Array(outW * outH);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      let sum = 0;
      for (const y of ys[oy] ?? []) {
        let row = 0;
        for (const x of xs[ox] ?? []) row += (src[y.index * inW + x.index] as number) * x.weight;
        sum += row * y.weight;
      }
      out[oy * outW + ox] = sum / norm;
    }
  }
  return out;
}

/** Source position of output index `dst` with half-pixel centres, clamped to [0, inSize − 1]. */
function sourceCoordinate(dst: number, inSize: number, outSize: number): { i0: number; i1: number; f: number } {
  const s = Math.min(Math.max((dst + 0.5) * (inSize / outSize) - 0.5, 0), inSize - 1);
  const i0 = Math.floor(s);
  return { i0, i1: Math.min(i0 + 1, inSize - 1), f: s - i0 };
}

function bilinearResize(src: ArrayLike<number>, inW: number, inH: number, outW: number, outH: number): Float32Array {
  const out = new Float32Array(outW * outH);
  const xs = Array.from({ length: outW }, (_, ox) => sourceCoordinate(ox, inW, outW));
  for (let oy = 0; oy < outH; oy++) {
    const y = sourceCoordinate(oy, inH, outH);
    for (let ox = 0; ox < outW; ox++) {
      const x = xs[ox] as { i0: number; i1: number; f: number };
      const top =
        (src[y.i0 * inW + x.i0] as number) * (1 - x.f) + (src[y.i0 * inW + x.i1] as number) * x.f;
      const bottom =
        (src[y.i1 * inW + x.i0] as number) * (1 - x.f) + (src[y.i1 * inW + x.i1] as number) * x.f;
      out[oy * outW + ox] = top * (1 - y.f) + bottom * y.f;
    }
  }
  return out;
}
