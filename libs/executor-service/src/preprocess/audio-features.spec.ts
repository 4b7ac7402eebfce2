import { describe, expect, it } from "@jest/globals";
import { type MessageInitShape, create } from "@bufbuild/protobuf";
import { AudioPreprocessingSchema } from "@modelrouter/contracts";
import { type AudioSpec, compileAudioSpec } from "@modelrouter/syntax";
import { audioFeatures } from "./audio-features.js";
import { hzToMel } from "./mel-filters.js";
import { sine, wavBytes } from "./wav-bytes.test-support.js";

type Init = MessageInitShape<typeof AudioPreprocessingSchema>;

const speech: Init = { sampleRateHz: 16_000, durationMs: 500, frameMs: 25, hopMs: 10, melBands: 40 };
const spec = (fields: Init = speech): AudioSpec => {
  const compiled = compileAudioSpec(create(AudioPreprocessingSchema, fields));
  if ("violations" in compiled) throw new Error(JSON.stringify(compiled.violations));
  return compiled.spec;
};
/** The band with the most energy in each frame. */
const peakBands = (features: Float32Array, bands: number): number[] =>
  Array.from({ length: features.length / bands }, (_, f) => {
    const frame = Array.from(features.subarray(f * bands, (f + 1) * bands));
    return frame.indexOf(Math.max(...frame));
  });
/** The band whose centre is nearest `hz` for `bands` bands up to `nyquist`. */
const bandOf = (hz: number, bands: number, nyquist: number): number =>
  Math.round((hzToMel(hz) / hzToMel(nyquist)) * (bands + 1)) - 1;

describe("audioFeatures", () => {
  it("makes frames × mel_bands log-mel energies", () => {
    const s = spec();
    expect(audioFeatures(wavBytes({ channels: [sine(440, 16_000, 8000)] }), s).length).toBe(48 * 40);
  });

  it("puts a tone's energy in the mel band of its frequency", () => {
    for (const hz of [300, 1000, 3000]) {
      const peaks = peakBands(audioFeatures(wavBytes({ channels: [sine(hz, 16_000, 8000)], bits: 32, float: true }), spec()), 40);
      expect(new Set(peaks)).toEqual(new Set([bandOf(hz, 40, 8000)]));
    }
  });

  it("gives log(1e-6) for silence and for the padding after a short file", () => {
    const floor = Math.fround(Math.log(1e-6));
    const silent = audioFeatures(wavBytes({ channels: [new Array(8000).fill(0)] }), spec());
    expect(Array.from(silent).every((x) => x === floor)).toBe(true);
    const short = audioFeatures(wavBytes({ channels: [sine(1000, 16_000, 1600)] }), spec());
    expect(short[0]).toBeGreaterThan(floor);
    expect(Array.from(short.subarray(10 * 40)).every((x) => x === floor)).toBe(true);
  });

  it("resamples any rate to the model's: the same tone at 8, 22.05 and 48 kHz peaks in the same band", () => {
    for (const rate of [8000, 22_050, 48_000]) {
      const wav = wavBytes({ channels: [sine(1000, rate, rate)], sampleRateHz: rate });
      expect(new Set(peakBands(audioFeatures(wav, spec()), 40))).toEqual(new Set([bandOf(1000, 40, 8000)]));
    }
  });

  it("is the same for the same file on every call", () => {
    const wav = wavBytes({ channels: [sine(700, 44_100, 30_000), sine(90, 44_100, 30_000)], sampleRateHz: 44_100 });
    expect(audioFeatures(wav, spec())).toEqual(audioFeatures(wav, spec()));
  });

  it("names the field it is given when the bytes are not a WAV file", () => {
    expect(() => audioFeatures(new Uint8Array(10), spec(), "payload.binary.data")).toThrow(
      expect.objectContaining({ violations: [expect.objectContaining({ field: "payload.binary.data" })] }),
    );
  });
});
