import type { AudioPreprocessing } from "@modelrouter/contracts";
import { type FieldViolation, Violations } from "@modelrouter/errors";
import {
  MAX_AUDIO_DURATION_MS,
  MAX_AUDIO_FFT_SIZE,
  MAX_AUDIO_FFT_WORK,
  MAX_AUDIO_FRAMES,
  MAX_AUDIO_MEL_BANDS,
  MAX_AUDIO_SAMPLE_RATE_HZ,
  MAX_AUDIO_SAMPLES,
  MIN_AUDIO_FRAME_SAMPLES,
  MIN_AUDIO_SAMPLE_RATE_HZ,
} from "./limits.js";

/** The audio pre-processing of a model, with its sizes in samples worked out. */
export interface AudioSpec {
  readonly sampleRateHz: number;
  readonly durationMs: number;
  readonly frameMs: number;
  readonly hopMs: number;
  readonly melBands: number;
  /** Samples the signal is fitted to: round(sample_rate_hz × duration_ms / 1000). */
  readonly samples: number;
  /** Samples per frame: round(sample_rate_hz × frame_ms / 1000). */
  readonly frameLength: number;
  /** Samples between frame starts: round(sample_rate_hz × hop_ms / 1000). */
  readonly hopLength: number;
  /** The FFT size: the frame length rounded up to a power of two (the frame is zero-padded). */
  readonly fftSize: number;
  /** How many frames: 1 + floor((samples − frameLength) / hopLength). */
  readonly frames: number;
}

/**
 * Checks an `AudioPreprocessing` and works out its sizes in samples. Every field is required. Returns the spec,
 * or every problem with its path relative to the `AudioPreprocessing` message.
 */
export function compileAudioSpec(
  audio: AudioPreprocessing,
): { readonly spec: AudioSpec } | { readonly violations: readonly FieldViolation[] } {
  const v = new Violations();
  const { sampleRateHz, durationMs, frameMs, hopMs, melBands } = audio;
  if (sampleRateHz < MIN_AUDIO_SAMPLE_RATE_HZ || sampleRateHz > MAX_AUDIO_SAMPLE_RATE_HZ) {
    v.add("sample_rate_hz", `must be ${MIN_AUDIO_SAMPLE_RATE_HZ} to ${MAX_AUDIO_SAMPLE_RATE_HZ} Hz, for example 16000, not ${sampleRateHz}`);
  }
  if (durationMs < 1 || durationMs > MAX_AUDIO_DURATION_MS) {
    v.add("duration_ms", `must be 1 to ${MAX_AUDIO_DURATION_MS} ms (the length the audio is cut or padded to), not ${durationMs}`);
  }
  if (frameMs < 1 || (durationMs >= 1 && frameMs > durationMs)) {
    v.add("frame_ms", `must be 1 ms to duration_ms (${durationMs}), for example 25, not ${frameMs}`);
  }
  if (hopMs < 1 || (durationMs >= 1 && hopMs > durationMs)) {
    v.add("hop_ms", `must be 1 ms to duration_ms (${durationMs}), for example 10, not ${hopMs}`);
  }
  if (melBands < 1 || melBands > MAX_AUDIO_MEL_BANDS) v.add("mel_bands", `must be 1 to ${MAX_AUDIO_MEL_BANDS}, for example 40, not ${melBands}`);
  if (!v.empty) return { violations: v.items };
  const samples = Math.round((sampleRateHz * durationMs) / 1000);
  const frameLength = Math.round((sampleRateHz * frameMs) / 1000);
  const hopLength = Math.max(1, Math.round((sampleRateHz * hopMs) / 1000));
  const fftSize = nextPowerOfTwo(frameLength);
  const frames = 1 + Math.floor((samples - frameLength) / hopLength);
  if (samples > MAX_AUDIO_SAMPLES) {
    v.add("duration_ms", `gives ${samples} samples at ${sampleRateHz} Hz; at most ${MAX_AUDIO_SAMPLES} are allowed: make it shorter`);
  }
  if (frameLength < MIN_AUDIO_FRAME_SAMPLES) {
    v.add("frame_ms", `gives ${frameLength} samples per frame at ${sampleRateHz} Hz; at least ${MIN_AUDIO_FRAME_SAMPLES} are needed: make it longer`);
  } else if (fftSize > MAX_AUDIO_FFT_SIZE) {
    v.add("frame_ms", `gives an FFT of ${fftSize} samples at ${sampleRateHz} Hz; at most ${MAX_AUDIO_FFT_SIZE} are allowed: make it shorter`);
  } else if (melBands > fftSize / 2 + 1) {
    v.add("mel_bands", `must be at most ${fftSize / 2 + 1}, the frequency bins of a ${fftSize}-sample FFT (frame_ms ${frameMs} at ${sampleRateHz} Hz)`);
  }
  if (frames > MAX_AUDIO_FRAMES) {
    v.add("hop_ms", `gives ${frames} frames; at most ${MAX_AUDIO_FRAMES} are allowed: make hop_ms longer or duration_ms shorter`);
  } else if (frames * fftSize > MAX_AUDIO_FFT_WORK) {
    v.add("hop_ms", `gives ${frames} frames of a ${fftSize}-sample FFT; at most ${MAX_AUDIO_FFT_WORK} samples of FFT are allowed: make hop_ms or frame_ms longer`);
  }
  if (!v.empty) return { violations: v.items };
  return { spec: { sampleRateHz, durationMs, frameMs, hopMs, melBands, samples, frameLength, hopLength, fftSize, frames } };
}

/** The `frames` dimension of the tensor: [1, 1, frames, mel_bands]. */
export function audioFrames(spec: AudioSpec): number {
  return spec.frames;
}

/** The smallest power of two that is at least `n` (1 for n ≤ 1): the FFT size of a frame of `n` samples. */
export function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}
