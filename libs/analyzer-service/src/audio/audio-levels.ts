import type { WavSamples } from "./wav-samples.js";

/** The level reported for digital silence, and the lowest reported: below 24-bit PCM's smallest step. */
export const SILENCE_DBFS = -120;
/** Voice-activity frames, in seconds. */
const FRAME_SECONDS = 0.02;
/** A speech frame is at least this loud, in dBFS: quieter is background. */
const SPEECH_GATE_DBFS = -50;
/** …and at least this many dB above the clip's noise floor (its 10th-percentile frame energy). */
const ABOVE_FLOOR_DB = 9;
/** …and crosses zero in at most this share of its samples: noise and hiss cross in about half. */
const MAX_SPEECH_ZCR = 0.35;

/** What the level and voice-activity analysis of audio found. */
export interface AudioLevels {
  /** Root-mean-square level over every sample, in dBFS (≥ {@link SILENCE_DBFS}). */
  readonly rmsDbfs: number;
  /** The largest absolute sample, in dBFS (≥ {@link SILENCE_DBFS}). */
  readonly peakDbfs: number;
  /** Share of the 20 ms frames that look like speech, 0..1; 0 when there is less than one frame. */
  readonly speechRatio: number;
}

/** A power ratio (mean square, full scale 1) in dB, floored at {@link SILENCE_DBFS}. */
function powerDb(meanSquare: number): number {
  return meanSquare > 0 ? Math.max(SILENCE_DBFS, 10 * Math.log10(meanSquare)) : SILENCE_DBFS;
}

/**
 * Level and a cheap voice-activity estimate of samples, in one pass over them plus a sort of the frame energies.
 * The mono signal is cut into 20 ms frames; a frame is speech when it is louder than −50 dBFS, 9 dB above the
 * clip's noise floor (its 10th-percentile frame) and crosses zero in at most 35% of its samples. Steady sounds
 * (a tone, a hum, stationary noise) sit at their own floor, so they have no speech frames; speech, with its
 * syllables and pauses, does. A clip of unbroken speech has a ratio below 1, since its quietest frames set the floor.
 */
export function audioLevels(samples: WavSamples, sampleRateHz: number): AudioLevels {
  const rmsDbfs = samples.count === 0 ? SILENCE_DBFS : powerDb(samples.sumOfSquares / samples.count);
  const peakDbfs = powerDb(samples.peak * samples.peak);
  return { rmsDbfs, peakDbfs, speechRatio: speechRatio(samples.mono, sampleRateHz) };
}

function speechRatio(mono: Float32Array, sampleRateHz: number): number {
  const frameLength = Math.max(2, Math.round(sampleRateHz * FRAME_SECONDS));
  const frames = Math.floor(mono.length / frameLength);
  if (frames === 0) return 0;
  const energies = new Float64Array(frames);
  const crossings = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    const start = f * frameLength;
    let sumOfSquares = 0;
    let zeroCrossings = 0;
    let previous = mono[start] as number;
    for (let i = start; i < start + frameLength; i++) {
      const x = mono[i] as number;
      sumOfSquares += x * x;
      if ((x >= 0) !== (previous >= 0)) zeroCrossings++;
      previous = x;
    }
    energies[f] = powerDb(sumOfSquares / frameLength);
    crossings[f] = zeroCrossings / (frameLength - 1);
  }
  const floor = energies.slice().sort()[Math.floor((frames - 1) * 0.1)] as number;
  const threshold = Math.max(SPEECH_GATE_DBFS, floor + ABOVE_FLOOR_DB);
  let speech = 0;
  for (let f = 0; f < frames; f++) {
    if ((energies[f] as number) >= threshold && (crossings[f] as number) <= MAX_SPEECH_ZCR) speech++;
  }
  return speech / frames;
}
