import { nextPowerOfTwo } from "@modelrouter/syntax";

/**
 * An in-place radix-2 decimation-in-time FFT of the complex signal (`re`, `im`), whose length must be a power
 * of two. Twiddle factors are computed directly (not by recurrence) and cached per size, so the result is the
 * same on every run.
 */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j] ?? 0, re[i] ?? 0];
      [im[i], im[j]] = [im[j] ?? 0, im[i] ?? 0];
    }
  }
  for (let size = 2; size <= n; size *= 2) {
    const half = size / 2;
    const { cos, sin } = twiddles(size);
    for (let k = 0; k < half; k++) {
      const wr = cos[k] ?? 1;
      const wi = sin[k] ?? 0;
      for (let start = 0; start < n; start += size) {
        const a = start + k;
        const b = a + half;
        const br = re[b] ?? 0;
        const bi = im[b] ?? 0;
        const tr = wr * br - wi * bi;
        const ti = wr * bi + wi * br;
        const ar = re[a] ?? 0;
        const ai = im[a] ?? 0;
        re[b] = ar - tr;
        im[b] = ai - ti;
        re[a] = ar + tr;
        im[a] = ai + ti;
      }
    }
  }
}

const twiddleCache = new Map<number, { readonly cos: Float64Array; readonly sin: Float64Array }>();

/** cos and sin of −2πk / size for k < size / 2, computed once per size (up to 2^20) and kept. */
function twiddles(size: number): { readonly cos: Float64Array; readonly sin: Float64Array } {
  let table = twiddleCache.get(size);
  if (table === undefined) {
    const step = (-2 * Math.PI) / size;
    const half = size / 2;
    table = { cos: Float64Array.from({ length: half }, (_, k) => Math.cos(step * k)), sin: Float64Array.from({ length: half }, (_, k) => Math.sin(step * k)) };
    if (size <= 2 ** 20) twiddleCache.set(size, table);
  }
  return table;
}

/**
 * The magnitudes |X[k]| of the first `bins` terms of the discrete Fourier transform of `x` (of its own length,
 * not padded), by Bluestein's algorithm over the radix-2 FFT when the length is not a power of two (the
 * phase factor Bluestein multiplies by last has magnitude 1, so it is left out).
 */
export function dftMagnitudes(x: ArrayLike<number>, bins: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(bins);
  if (n === 0) return out;
  if (nextPowerOfTwo(n) === n) {
    const re = Float64Array.from(x);
    const im = new Float64Array(n);
    fft(re, im);
    for (let k = 0; k < bins; k++) out[k] = Math.hypot(re[k] ?? 0, im[k] ?? 0);
    return out;
  }
  const m = nextPowerOfTwo(2 * n - 1);
  const cr = new Float64Array(n);
  const ci = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const angle = (Math.PI * ((k * k) % (2 * n))) / n;
    cr[k] = Math.cos(angle);
    ci[k] = Math.sin(angle);
  }
  const ar = new Float64Array(m);
  const ai = new Float64Array(m);
  for (let k = 0; k < n; k++) {
    const v = x[k] ?? 0;
    ar[k] = v * (cr[k] ?? 0);
    ai[k] = -v * (ci[k] ?? 0);
  }
  const br = new Float64Array(m);
  const bi = new Float64Array(m);
  br[0] = cr[0] ?? 1;
  bi[0] = ci[0] ?? 0;
  for (let k = 1; k < n; k++) {
    br[k] = br[m - k] = cr[k] ?? 0;
    bi[k] = bi[m - k] = ci[k] ?? 0;
  }
  fft(ar, ai);
  fft(br, bi);
  for (let k = 0; k < m; k++) {
    const r = (ar[k] ?? 0) * (br[k] ?? 0) - (ai[k] ?? 0) * (bi[k] ?? 0);
    const i = (ar[k] ?? 0) * (bi[k] ?? 0) + (ai[k] ?? 0) * (br[k] ?? 0);
    ar[k] = r;
    ai[k] = -i;
  }
  fft(ar, ai);
  for (let k = 0; k < bins; k++) {
    out[k] = Math.hypot(ar[k] ?? 0, ai[k] ?? 0) / m;
  }
  return out;
}
