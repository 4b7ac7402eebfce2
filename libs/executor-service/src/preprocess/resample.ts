/**
 * The first `count` samples of `signal` (sampled at `fromHz`) resampled to `toHz`, padded with zeros (silence)
 * where the signal ends. Output sample i stands for time i / `toHz`. Shrinking (`toHz` < `fromHz`) averages the
 * input over the output sample's interval [i·r, (i+1)·r) in input samples (r = fromHz / toHz; each input sample
 * covering [j, j+1)), a box low-pass like the image resize's area averaging; growing interpolates linearly
 * between neighbours at i·r; equal rates copy. The work is linear in `count` plus the input read.
 */
export function resample(signal: Float32Array, fromHz: number, toHz: number, count: number): Float32Array {
  const out = new Float32Array(count);
  const n = signal.length;
  if (fromHz === toHz) {
    out.set(signal.subarray(0, Math.min(n, count)));
    return out;
  }
  const ratio = fromHz / toHz;
  if (ratio > 1) {
    for (let i = 0; i < count; i++) out[i] = areaAverage(signal, i * ratio, (i + 1) * ratio);
    return out;
  }
  for (let i = 0; i < count; i++) {
    const t = i * ratio;
    const j = Math.floor(t);
    if (j >= n) break;
    const a = signal[j] ?? 0;
    const b = j + 1 < n ? (signal[j + 1] ?? 0) : a;
    out[i] = a + (b - a) * (t - j);
  }
  return out;
}

/** The mean of the piecewise-constant signal over [from, to), silence beyond its end. */
function areaAverage(signal: Float32Array, from: number, to: number): number {
  let sum = 0;
  const last = Math.min(Math.ceil(to), signal.length);
  for (let j = Math.floor(from); j < last; j++) {
    const overlap = Math.min(to, j + 1) - Math.max(from, j);
    if (overlap > 0) sum += (signal[j] ?? 0) * overlap;
  }
  return sum / (to - from);
}
