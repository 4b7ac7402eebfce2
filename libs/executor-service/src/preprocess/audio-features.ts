import { fft } from "./fft.js";
import type { AudioSpec } from "@modelrouter/syntax";
import { type MelFilter, melFilters } from "./mel-filters.js";
import { resample } from "./resample.js";
import { decodeWav } from "./wav-decode.js";

const LOG_FLOOR = 1e-6;

/**
 * The log-mel energies of a WAV file (length frames × mel_bands, frame by frame), as `AudioPreprocessing`
 * defines them: decode and mix to mono ({@link decodeWav}), resample to the spec's rate ({@link resample}),
 * fit to its duration (cut, or padded with silence), then for each frame of `frameLength` samples every
 * `hopLength` (no padding at the ends): a periodic Hann window (0.5 − 0.5·cos(2πn/N)), zero-padding to the FFT
 * size, the power spectrum |X[k]|² of bins 0 to fftSize/2, the triangular mel filters ({@link melFilters}) and
 * log(energy + 1e-6). Deterministic: the same function builds a model's training data and serves it.
 *
 * @param field where the bytes are in the request, for errors. Default `payload.audio.data`.
 * @throws DomainError INVALID_FIELD naming `field` when the bytes are not a WAV file the decoder reads.
 */
export function audioFeatures(bytes: Uint8Array, spec: AudioSpec, field = "payload.audio.data"): Float32Array {
  const audio = decodeWav(bytes, field);
  const signal = resample(audio.mono, audio.sampleRateHz, spec.sampleRateHz, spec.samples);
  return logMel(signal, spec);
}

/** The log-mel energies of a signal already at the spec's rate and length (`spec.samples`). */
export function logMel(signal: Float32Array, spec: AudioSpec): Float32Array {
  const { frames, frameLength, hopLength, fftSize, melBands } = spec;
  const window = Float64Array.from({ length: frameLength }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / frameLength));
  const filters = cachedFilters(spec);
  const out = new Float32Array(frames * melBands);
  const re = new Float64Array(fftSize);
  const im = new Float64Array(fftSize);
  const power = new Float64Array(fftSize / 2 + 1);
  for (let f = 0; f < frames; f++) {
    re.fill(0);
    im.fill(0);
    const start = f * hopLength;
    for (let n = 0; n < frameLength; n++) re[n] = (signal[start + n] ?? 0) * (window[n] ?? 0);
    fft(re, im);
    for (let k = 0; k < power.length; k++) power[k] = (re[k] ?? 0) ** 2 + (im[k] ?? 0) ** 2;
    filters.forEach((filter, m) => {
      let energy = 0;
      filter.weights.forEach((w, i) => (energy += w * (power[filter.first + i] ?? 0)));
      out[f * melBands + m] = Math.log(energy + LOG_FLOOR);
    });
  }
  return out;
}

const filterCache = new Map<string, MelFilter[]>();

function cachedFilters(spec: AudioSpec): MelFilter[] {
  const key = `${spec.melBands}/${spec.fftSize}/${spec.sampleRateHz}`;
  let filters = filterCache.get(key);
  if (filters === undefined) {
    filters = melFilters(spec.melBands, spec.fftSize, spec.sampleRateHz);
    if (filterCache.size >= 16) filterCache.clear();
    filterCache.set(key, filters);
  }
  return filters;
}
