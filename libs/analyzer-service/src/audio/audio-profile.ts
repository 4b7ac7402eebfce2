import { create } from "@bufbuild/protobuf";
import { type AudioProfile, AudioProfileSchema } from "@modelrouter/contracts";
import type { AudioHeader } from "./audio-header.js";
import { audioLevels } from "./audio-levels.js";
import { readWavSamples } from "./wav-samples.js";

/**
 * Profiles a WAV file whose header `readWavHeader` accepted: the header's fields, and the level (RMS and peak, in
 * dBFS) and speech ratio of its first samples (see `readWavSamples` for the bound), with how many seconds those cover.
 */
export function analyzeAudio(bytes: Uint8Array, header: AudioHeader): AudioProfile {
  const { format, sampleRateHz, channels, bitsPerSample, durationSeconds } = header;
  const samples = readWavSamples(bytes, header);
  return create(AudioProfileSchema, {
    format,
    sampleRateHz,
    channels,
    bitsPerSample,
    durationSeconds,
    ...audioLevels(samples, sampleRateHz),
    analyzedSeconds: samples.mono.length / sampleRateHz,
  });
}
