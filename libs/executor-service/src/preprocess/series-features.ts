import type { FieldViolation } from "@modelrouter/errors";
import { dftMagnitudes } from "./fft.js";
import { describeJson, fieldPath, isUsableNumber } from "./json-values.js";
import { payloadRefused } from "./payload-errors.js";
import { type SeriesSpec, seriesWidth } from "@modelrouter/syntax";

/**
 * The features of a sampled signal (length {@link seriesWidth}), as `SeriesPreprocessing` defines them: the
 * samples fitted to `length` (cut, or padded with the last sample), then
 * - raw: standardised to mean 0 and unit (population) variance — all zeros for a constant signal;
 * - spectrum: |X[k]| for k < `bins` of the DFT (length `length`, not normalised) of the standardised samples;
 * - statistics: mean, standard deviation (population), minimum, maximum, root mean square, peak-to-peak,
 *   skewness (m3 / σ³), excess kurtosis (m4 / σ⁴ − 3), zero-crossing rate (the fraction of neighbouring pairs
 *   whose signs differ, 0 counting as positive) and crest factor (max |x| / RMS), of the fitted samples;
 *   skewness and kurtosis are 0 for a constant signal, the crest factor 0 for a silent one.
 * Samples beyond `length` are ignored, unchecked. Deterministic: the same function builds a model's training
 * data and serves it.
 *
 * @param field where the samples are in the request, for errors. Default: `payload.json.<spec.field>`, or
 *   `payload.tensor` when the spec reads a tensor.
 * @throws DomainError INVALID_FIELD naming the field when there are no samples, or `field[i]` for each sample
 *   that is not a number of magnitude at most 1e30.
 */
export function seriesFeatures(samples: ArrayLike<number>, spec: SeriesSpec, field?: string): Float32Array {
  const at = field ?? (spec.field === "" ? "payload.tensor" : fieldPath("payload.json", spec.field));
  const fitted = fit(samples, spec.length, at);
  switch (spec.representation) {
    case "raw":
      return Float32Array.from(standardised(fitted));
    case "spectrum":
      return Float32Array.from(dftMagnitudes(standardised(fitted), seriesWidth(spec)));
    case "statistics":
      return Float32Array.from(statistics(fitted));
  }
}

function fit(samples: ArrayLike<number>, length: number, at: string): Float64Array {
  if (samples.length === 0) {
    throw payloadRefused("the series has no samples", [{ field: at, description: "is empty: send at least one sample (a list of numbers)" }]);
  }
  const out = new Float64Array(length);
  const problems: FieldViolation[] = [];
  const n = Math.min(samples.length, length);
  for (let i = 0; i < n; i++) {
    const x: unknown = samples[i];
    if (!isUsableNumber(x)) {
      problems.push({ field: `${at}[${i}]`, description: `is ${describeJson(x)}: every sample must be a number of magnitude at most 1e30` });
    } else out[i] = x;
  }
  if (problems.length > 0) throw payloadRefused("the series has samples that are not numbers", problems);
  out.fill(out[n - 1] ?? 0, n);
  return out;
}

/**
 * The mean and standard deviation of `x`, computed on `x / max|x|` so that neither tiny nor huge samples
 * underflow or overflow when squared.
 */
function meanAndStd(x: Float64Array): { mean: number; std: number; scale: number } {
  let scale = 0;
  for (const v of x) scale = Math.max(scale, Math.abs(v));
  if (scale === 0) return { mean: 0, std: 0, scale: 0 };
  let sum = 0;
  for (const v of x) sum += v / scale;
  const mean = sum / x.length;
  let squares = 0;
  for (const v of x) squares += (v / scale - mean) ** 2;
  return { mean: mean * scale, std: Math.sqrt(squares / x.length) * scale, scale };
}

function standardised(x: Float64Array): Float64Array {
  const { mean, std } = meanAndStd(x);
  return x.map((v) => (std > 0 ? (v - mean) / std : 0));
}

function statistics(x: Float64Array): number[] {
  const { mean, std, scale } = meanAndStd(x);
  const n = x.length;
  let min = Infinity;
  let max = -Infinity;
  let squares = 0;
  let m3 = 0;
  let m4 = 0;
  let crossings = 0;
  x.forEach((v, i) => {
    min = Math.min(min, v);
    max = Math.max(max, v);
    if (scale > 0) squares += (v / scale) ** 2;
    if (std > 0) {
      const z = (v - mean) / std;
      m3 += z ** 3;
      m4 += z ** 4;
    }
    if (i > 0 && (v < 0) !== ((x[i - 1] ?? 0) < 0)) crossings++;
  });
  const rms = Math.sqrt(squares / n) * scale;
  const skewness = m3 / n;
  const kurtosis = std > 0 ? m4 / n - 3 : 0;
  const zeroCrossingRate = n > 1 ? crossings / (n - 1) : 0;
  const crest = rms > 0 ? scale / rms : 0;
  return [mean, std, min, max, rms, max - min, skewness, kurtosis, zeroCrossingRate, crest];
}
