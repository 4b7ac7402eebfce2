import { describe, expect, it } from "@jest/globals";
import { type MessageInitShape, create } from "@bufbuild/protobuf";
import { AudioPreprocessingSchema } from "@modelrouter/contracts";
import { type AudioSpec, audioFrames, compileAudioSpec } from "./audio-spec.js";

type Init = MessageInitShape<typeof AudioPreprocessingSchema>;

const speech: Init = { sampleRateHz: 16_000, durationMs: 500, frameMs: 25, hopMs: 10, melBands: 40 };
const spec = (fields: Init): AudioSpec => {
  const compiled = compileAudioSpec(create(AudioPreprocessingSchema, fields));
  if ("violations" in compiled) throw new Error(JSON.stringify(compiled.violations));
  return compiled.spec;
};
const fieldsOf = (fields: Init): string[] => {
  const compiled = compileAudioSpec(create(AudioPreprocessingSchema, fields));
  return "violations" in compiled ? compiled.violations.map((v) => v.field) : [];
};

describe("compileAudioSpec", () => {
  it("works out the sizes in samples and the frames: 1 + floor((samples − frame) / hop)", () => {
    const s = spec({ ...speech, durationMs: 1000 });
    expect(s).toMatchObject({ samples: 16_000, frameLength: 400, hopLength: 160, fftSize: 512, frames: 98 });
    expect(audioFrames(s)).toBe(98);
  });

  it("requires every field", () => {
    expect(fieldsOf({})).toEqual(["sample_rate_hz", "duration_ms", "frame_ms", "hop_ms", "mel_bands"]);
  });

  it("refuses frames longer than the duration, too short to analyse, or more mel bands than FFT bins", () => {
    expect(fieldsOf({ ...speech, frameMs: 600 })).toEqual(["frame_ms"]);
    expect(fieldsOf({ ...speech, sampleRateHz: 1000, frameMs: 10 })).toEqual(["frame_ms"]);
    expect(fieldsOf({ ...speech, frameMs: 2, melBands: 40 })).toEqual(["mel_bands"]);
  });

  it("bounds the work: at most 10,000 frames and 2^22 samples", () => {
    expect(fieldsOf({ sampleRateHz: 16_000, durationMs: 60_000, frameMs: 25, hopMs: 1, melBands: 40 })).toEqual(["hop_ms"]);
    expect(fieldsOf({ sampleRateHz: 96_000, durationMs: 60_000, frameMs: 25, hopMs: 1000, melBands: 40 })).toEqual(["duration_ms"]);
  });
});
