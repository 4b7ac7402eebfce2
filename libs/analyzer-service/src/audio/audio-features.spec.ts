import { beforeAll, describe, expect, it } from "@jest/globals";
import { analyzePayload } from "../analyze-payload.js";
import { mediaPayload } from "../testing/analyze.test-support.js";
import { wavBytes } from "../testing/fixtures.test-support.js";
import { sample } from "../testing/samples.test-support.js";
import { pcm16Samples, pcm16Wav, sine, whiteNoise } from "../testing/signals.test-support.js";
import { type LanguageDetector, createLanguageDetector } from "../text/language-detector.js";

let languageDetector: LanguageDetector;
beforeAll(async () => {
  languageDetector = await createLanguageDetector();
});

const audioOf = (bytes: Uint8Array) => analyzePayload(mediaPayload("audio", bytes), {}, { languageDetector }).audio!;
const RATE = 8000;
/** espeak-ng saying "seven, eight", 8 kHz 16-bit mono, with 0.2 s of silence before and after. */
const SPEECH = "espeak-seven-eight.wav";

describe("an audio's level", () => {
  it("is -3.01 dBFS RMS and 0 dBFS peak for a full-scale sine, whatever the channel count", () => {
    for (const channels of [1, 2]) {
      const audio = audioOf(pcm16Wav(sine(440, 1, 1, RATE), RATE, channels));
      expect(audio.rmsDbfs).toBeCloseTo(-3.01, 1);
      expect(audio.peakDbfs).toBeCloseTo(0, 1);
    }
  });

  it("falls 20 dB when the amplitude falls tenfold", () => {
    const loud = audioOf(pcm16Wav(sine(440, 0.5, 1, RATE), RATE));
    const quiet = audioOf(pcm16Wav(sine(440, 0.05, 1, RATE), RATE));
    expect(loud.rmsDbfs - quiet.rmsDbfs).toBeCloseTo(20, 1);
    expect(loud.peakDbfs - quiet.peakDbfs).toBeCloseTo(20, 1);
  });

  it("is the -120 dBFS floor for digital silence, in every sample encoding", () => {
    for (const layout of ["pcm", "float"] as const) {
      const audio = audioOf(wavBytes({ layout, bitsPerSample: 32, frames: 800 }));
      expect(audio).toMatchObject({ rmsDbfs: -120, peakDbfs: -120, speechRatio: 0 });
    }
    expect(audioOf(wavBytes({ bitsPerSample: 16, frames: 0 }))).toMatchObject({ rmsDbfs: -120, speechRatio: 0, analyzedSeconds: 0 });
  });
});

describe("an audio's speech ratio", () => {
  it("finds speech in a spoken clip, but not in its silent padding or the pauses between words", () => {
    const audio = audioOf(sample(SPEECH));
    expect(audio.speechRatio).toBeGreaterThan(0.3);
    expect(audio.speechRatio).toBeLessThan(0.8);
  });

  it("still finds the speech under background noise 30 dB below it", () => {
    const speech = pcm16Samples(sample(SPEECH));
    const noise = whiteNoise(0.01, speech.length / RATE, RATE);
    const noisy = audioOf(pcm16Wav(speech.map((x, i) => x + (noise[i] as number)), RATE));
    expect(noisy.speechRatio).toBeGreaterThan(0.3);
  });

  it("is 0 for steady sounds: silence, a tone, and white noise at any level", () => {
    expect(audioOf(wavBytes({ frames: RATE, sampleRateHz: RATE })).speechRatio).toBe(0);
    expect(audioOf(pcm16Wav(sine(220, 0.5, 2, RATE), RATE)).speechRatio).toBe(0);
    expect(audioOf(pcm16Wav(whiteNoise(0.5, 2, RATE), RATE)).speechRatio).toBe(0);
    expect(audioOf(pcm16Wav(whiteNoise(0.02, 2, RATE), RATE)).speechRatio).toBe(0);
  });
});

describe("the audio analysed", () => {
  it("is the whole of a short clip", () => {
    expect(audioOf(sample(SPEECH)).analyzedSeconds).toBeCloseTo(audioOf(sample(SPEECH)).durationSeconds, 9);
  });

  it("is the first 10 seconds of a long one, while the duration is the whole", () => {
    const audio = audioOf(wavBytes({ sampleRateHz: 1000, frames: 15_000 }));
    expect(audio.durationSeconds).toBe(15);
    expect(audio.analyzedSeconds).toBe(10);
  });

  it("is at most 480,000 samples across all channels", () => {
    const audio = audioOf(wavBytes({ sampleRateHz: 48_000, channels: 8, bitsPerSample: 8, frames: 100_000 }));
    expect(audio.analyzedSeconds).toBeCloseTo(60_000 / 48_000, 9);
  });
});
