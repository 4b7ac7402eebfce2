import { spawnSync } from "node:child_process";
import { encodeWav16 } from "../audio/wav.js";
import { createRng, type Rng } from "../rng.js";
import type { LabelledPayload, PayloadDataset } from "./payload.js";

/** The words, in output order (class i says digit i). */
export const SPOKEN_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"] as const;
/** Sample rate of the generated clips. */
export const SPOKEN_DIGIT_RATE_HZ = 8000;
/** Clip length. */
export const SPOKEN_DIGIT_SECONDS = 1;
/** espeak-ng voices drawn from. */
export const ESPEAK_VOICES = ["en", "en-us", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-029"] as const;
/** espeak-ng voice variants drawn from. */
export const ESPEAK_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4"] as const;
/** Seeds of the training and held-out generators (independent streams of voices, speeds, pitches and noise). */
export const SPOKEN_DIGIT_SEEDS = { train: 20261212, test: 20261213 } as const;
/** Clips per digit. */
export const SPOKEN_DIGIT_COUNTS = { train: 160, test: 15 } as const;

/** How one clip is spoken and degraded. */
export interface Utterance {
  readonly word: string;
  readonly voice: string;
  readonly speed: number;
  readonly pitch: number;
  /** Start of speech in the 1 s clip, in seconds. */
  readonly offset: number;
  /** Peak level of the speech, 0–1. */
  readonly gain: number;
  /** Standard deviation of the added white noise. */
  readonly noise: number;
}

/** Draws the conditions of one utterance of `word`. */
export function drawUtterance(word: string, rng: Rng): Utterance {
  const voice = `${ESPEAK_VOICES[rng.int(ESPEAK_VOICES.length)] as string}+${ESPEAK_VARIANTS[rng.int(ESPEAK_VARIANTS.length)] as string}`;
  return {
    word,
    voice,
    speed: 120 + rng.int(101),
    pitch: 20 + rng.int(61),
    offset: rng.next() * 0.2,
    gain: 0.3 + rng.next() * 0.6,
    noise: 0.002 + rng.next() * 0.02,
  };
}

/**
 * Runs espeak-ng and sox: the utterance as mono 16-bit samples at {@link SPOKEN_DIGIT_RATE_HZ}, in [-1, 1].
 * sox runs with `-D`: its default dither is random on every run, which would make the clips irreproducible.
 */
function speak(u: Utterance): Float32Array {
  const result = spawnSync(
    "sh",
    [
      "-c",
      'espeak-ng -v "$1" -s "$2" -p "$3" --stdout "$4" | sox -D -t wav - -t raw -r "$5" -e signed -b 16 -c 1 -',
      "speak",
      u.voice,
      String(u.speed),
      String(u.pitch),
      u.word,
      String(SPOKEN_DIGIT_RATE_HZ),
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  if (result.status !== 0 || result.stdout.length < 2) {
    throw new Error(`espeak-ng/sox failed for ${JSON.stringify(u)}: ${result.stderr.toString("utf8").trim() || `exit ${result.status}`} (install espeak-ng and sox)`);
  }
  const pcm = new Int16Array(result.stdout.buffer, result.stdout.byteOffset, Math.floor(result.stdout.length / 2));
  return Float32Array.from(pcm, (v) => v / 32768);
}

/**
 * One 1 s clip: the utterance with its leading and trailing silence cut, scaled to `gain` peak, placed at
 * `offset` (cut at the end of the clip), plus seeded white noise, as a WAV file (8 kHz mono 16-bit).
 */
export function renderUtterance(u: Utterance, noiseRng: Rng): Uint8Array {
  const speech = speak(u);
  const peak = speech.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  const threshold = peak * 0.02;
  let first = speech.findIndex((v) => Math.abs(v) > threshold);
  if (first < 0) first = 0;
  let last = speech.length - 1;
  while (last > first && Math.abs(speech[last] as number) <= threshold) last--;
  const clip = new Float32Array(SPOKEN_DIGIT_RATE_HZ * SPOKEN_DIGIT_SECONDS);
  const start = Math.round(u.offset * SPOKEN_DIGIT_RATE_HZ);
  for (let i = first; i <= last && start + i - first < clip.length; i++) clip[start + i - first] = ((speech[i] as number) / peak) * u.gain;
  for (let i = 0; i < clip.length; i++) clip[i] = (clip[i] as number) + u.noise * noiseRng.normal();
  return encodeWav16(clip, SPOKEN_DIGIT_RATE_HZ);
}

function generate(seed: number, perDigit: number): LabelledPayload[] {
  const rng = createRng(seed);
  const noiseRng = createRng(seed + 1);
  const items: LabelledPayload[] = [];
  for (let i = 0; i < perDigit; i++) {
    SPOKEN_DIGITS.forEach((word, label) => items.push({ payload: { audio: renderUtterance(drawUtterance(word, rng), noiseRng) }, label }));
  }
  return items;
}

/** Spoken digits synthesised with espeak-ng and sox: {@link SPOKEN_DIGIT_COUNTS} clips per digit, seeded. */
export function loadSpokenDigitsDataset(): PayloadDataset {
  const train = generate(SPOKEN_DIGIT_SEEDS.train, SPOKEN_DIGIT_COUNTS.train);
  const test = generate(SPOKEN_DIGIT_SEEDS.test, SPOKEN_DIGIT_COUNTS.test);
  return {
    name: "espeak-spoken-digits",
    classes: SPOKEN_DIGITS,
    train,
    test,
    description:
      `Spoken digits "zero"–"nine" synthesised at build time by espeak-ng (voices ${ESPEAK_VOICES.join(", ")} with variants ` +
      `+m1–m7 and +f1–f4, speed 120–220 words/min, pitch 20–80) and resampled by sox to ${SPOKEN_DIGIT_RATE_HZ} Hz mono 16-bit; ` +
      `silence trimmed, scaled to a random peak (0.3–0.9), placed at a random offset (0–0.2 s) in a ${SPOKEN_DIGIT_SECONDS} s clip, ` +
      `plus white noise (σ 0.002–0.022). Training: ${SPOKEN_DIGIT_COUNTS.train} clips per digit from mulberry32 seed ` +
      `${SPOKEN_DIGIT_SEEDS.train}; held out: ${SPOKEN_DIGIT_COUNTS.test} per digit from seed ${SPOKEN_DIGIT_SEEDS.test} ` +
      `(independent draws of voice, variant, speed, pitch, offset, level and noise).`,
  };
}
