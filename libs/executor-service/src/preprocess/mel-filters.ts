/** One triangular mel filter: weights for the power-spectrum bins from `first`. */
export interface MelFilter {
  readonly first: number;
  readonly weights: Float64Array;
}

/** Hertz to mel (the HTK formula: 2595 · log10(1 + f / 700)). */
export function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

/** Mel to hertz (the inverse of {@link hzToMel}). */
export function melToHz(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

/**
 * `bands` triangular filters over the `fftSize / 2 + 1` bins of a power spectrum at `sampleRateHz`: their
 * edges `bands + 2` points equally spaced in mel from 0 Hz to half the sample rate; filter m rises from 0 at
 * edge m to 1 at edge m+1 and falls to 0 at edge m+2 (peak 1, not area-normalised). A filter narrower than a
 * bin may have no weight: its energy is 0.
 */
export function melFilters(bands: number, fftSize: number, sampleRateHz: number): MelFilter[] {
  const top = hzToMel(sampleRateHz / 2);
  const edges = Array.from({ length: bands + 2 }, (_, i) => melToHz((top * i) / (bands + 1)));
  const binHz = sampleRateHz / fftSize;
  const bins = fftSize / 2 + 1;
  return Array.from({ length: bands }, (_, m) => {
    const [lo, mid, hi] = [edges[m] ?? 0, edges[m + 1] ?? 0, edges[m + 2] ?? 0];
    const first = Math.min(bins, Math.ceil(lo / binHz));
    const last = Math.min(bins - 1, Math.floor(hi / binHz));
    const weights = new Float64Array(Math.max(0, last - first + 1));
    for (let k = first; k <= last; k++) {
      const f = k * binHz;
      const w = f <= mid ? (f - lo) / (mid - lo) : (hi - f) / (hi - mid);
      weights[k - first] = Math.max(0, Number.isFinite(w) ? w : 0);
    }
    return { first, weights };
  });
}
