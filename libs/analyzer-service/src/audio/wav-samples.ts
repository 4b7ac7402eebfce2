import { ANALYZER_LIMITS } from "../limits.js";
import type { AudioHeader } from "./audio-header.js";

/** The first samples of a WAV file, as {@link readWavSamples} reads them. */
export interface WavSamples {
  /** One value per sample frame: the mean of its channels, in [-1, 1]. */
  readonly mono: Float32Array;
  /** Sum of the squares of every sample read (all channels), each in [-1, 1]. */
  readonly sumOfSquares: number;
  /** Samples read (frames × channels). */
  readonly count: number;
  /** The largest absolute sample read, in [0, 1]. */
  readonly peak: number;
}

type SampleAt = (view: DataView, offset: number) => number;

/** How to read one sample of an encoding and width as a value in [-1, 1] (full scale is 1). */
function sampleReader(header: AudioHeader): SampleAt {
  if (header.encoding === "float") {
    const read: SampleAt = header.bitsPerSample === 64 ? (v, o) => v.getFloat64(o, true) : (v, o) => v.getFloat32(o, true);
    return (v, o) => {
      const x = read(v, o);
      return Number.isNaN(x) ? 0 : Math.max(-1, Math.min(1, x));
    };
  }
  switch (header.bitsPerSample) {
    case 8:
      return (v, o) => (v.getUint8(o) - 128) / 128;
    case 16:
      return (v, o) => v.getInt16(o, true) / 32_768;
    case 24:
      return (v, o) => ((v.getUint16(o, true) | (v.getInt8(o + 2) << 16)) / 8_388_608);
    default:
      return (v, o) => v.getInt32(o, true) / 2_147_483_648;
  }
}

/**
 * Reads the samples at the start of a WAV file whose header `readWavHeader` accepted: at most
 * {@link ANALYZER_LIMITS.maxAudioAnalysisSeconds} seconds and {@link ANALYZER_LIMITS.maxAudioAnalysisSamples}
 * samples, whatever the file's length. Float samples beyond full scale count as full scale, NaN as 0.
 */
export function readWavSamples(bytes: Uint8Array, header: AudioHeader): WavSamples {
  const bytesPerSample = header.bitsPerSample / 8;
  const frameBytes = bytesPerSample * header.channels;
  const frames = Math.min(
    Math.floor(header.dataBytes / frameBytes),
    Math.floor(ANALYZER_LIMITS.maxAudioAnalysisSeconds * header.sampleRateHz),
    Math.floor(ANALYZER_LIMITS.maxAudioAnalysisSamples / header.channels),
  );
  const view = new DataView(bytes.buffer, bytes.byteOffset + header.dataOffset, frames * frameBytes);
  const read = sampleReader(header);
  const mono = new Float32Array(frames);
  let sumOfSquares = 0;
  let peak = 0;
  for (let f = 0, offset = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < header.channels; c++, offset += bytesPerSample) {
      const x = read(view, offset);
      sum += x;
      sumOfSquares += x * x;
      const magnitude = Math.abs(x);
      if (magnitude > peak) peak = magnitude;
    }
    mono[f] = sum / header.channels;
  }
  return { mono, sumOfSquares, count: frames * header.channels, peak: Math.min(peak, 1) };
}
