import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import {
  AudioPreprocessingSchema,
  FeatureType,
  MissingValue,
  SeriesPreprocessingSchema,
  SeriesRepresentation,
  TabularPreprocessingSchema,
  TextPreprocessingSchema,
} from "@modelrouter/contracts";
import { ErrorReason, isDomainError } from "@modelrouter/errors";
import { compileAudioSpec, compileSeriesSpec, compileTabularSpec, compileTextSpec, type SeriesSpec } from "@modelrouter/syntax";
import fc from "fast-check";
import { audioFeatures } from "./audio-features.js";
import { seriesFeatures } from "./series-features.js";
import { tabularFeatures } from "./tabular-features.js";
import { textFeatures } from "./text-features.js";
import { decodeWav } from "./wav-decode.js";
import { sine, wavBytes } from "./wav-bytes.test-support.js";

const RUNS = { numRuns: 200, seed: 8 };

const specOf = <S>(result: { spec: S } | { violations: unknown }): S => {
  if (!("spec" in result)) throw new Error(JSON.stringify(result.violations));
  return result.spec;
};

/** Runs `f`: it must return, or throw a DomainError INVALID_FIELD whose every violation's field `fieldOk` accepts. */
function returnsOrRefuses<T>(f: () => T, fieldOk: (field: string) => boolean): T | undefined {
  try {
    return f();
  } catch (error) {
    if (!isDomainError(error)) throw error;
    expect(error.reason).toBe(ErrorReason.INVALID_FIELD);
    expect(error.violations.length).toBeGreaterThan(0);
    for (const v of error.violations) {
      expect(fieldOk(v.field)).toBe(true);
      expect(v.description.length).toBeGreaterThan(10);
    }
    return undefined;
  }
}

const allFinite = (x: Float32Array): boolean => x.every((v) => Number.isFinite(v));

const VALID_WAVS = [
  wavBytes({ channels: [sine(440, 8000, 300)], sampleRateHz: 8000 }),
  wavBytes({ channels: [sine(300, 16_000, 200), sine(900, 16_000, 200)], bits: 24, extensible: true }),
  wavBytes({ channels: [sine(1000, 22_050, 150)], bits: 32, float: true, sampleRateHz: 22_050, dataFirst: true }),
  wavBytes({ channels: [sine(100, 8000, 99)], bits: 8, sampleRateHz: 8000, before: [{ id: "odd ", body: Uint8Array.of(1, 2, 3) }] }),
  wavBytes({ channels: [[0.5, -0.5, 1, -1]], bits: 64, float: true }),
];

/** A valid WAV file cut short, or with some bytes overwritten (sizes, format codes, samples). */
const damagedWav = fc.oneof(
  fc.tuple(fc.constantFrom(...VALID_WAVS), fc.nat()).map(([wav, cut]) => wav.subarray(0, cut % (wav.length + 1))),
  fc
    .tuple(fc.constantFrom(...VALID_WAVS), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }))
    .map(([wav, edits]) => {
      const out = wav.slice();
      for (const [at, value] of edits) out[at % out.length] = value;
      return out;
    }),
  fc.tuple(fc.constantFrom(...VALID_WAVS), fc.integer({ min: 4, max: 44 }), fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff)).map(([wav, at, size]) => {
    const out = wav.slice();
    new DataView(out.buffer).setUint32(at, size, true);
    return out;
  }),
  fc.uint8Array({ maxLength: 200 }),
);

describe("the pre-processing functions on arbitrary, truncated and mutated input", () => {
  it("decodeWav returns samples in [-1, 1] or refuses naming payload.audio.data", () => {
    fc.assert(
      fc.property(damagedWav, (bytes) => {
        const audio = returnsOrRefuses(() => decodeWav(bytes), (field) => field === "payload.audio.data");
        if (audio !== undefined) {
          expect(audio.mono.every((x) => x >= -1 && x <= 1)).toBe(true);
          expect(audio.channels).toBeGreaterThanOrEqual(1);
        }
      }),
      RUNS,
    );
  });

  it("audioFeatures returns frames × mel_bands finite values or refuses naming the field", () => {
    const spec = specOf(compileAudioSpec(create(AudioPreprocessingSchema, { sampleRateHz: 8000, durationMs: 100, frameMs: 16, hopMs: 8, melBands: 8 })));
    fc.assert(
      fc.property(damagedWav, (bytes) => {
        const features = returnsOrRefuses(() => audioFeatures(bytes, spec, "payload.binary.data"), (field) => field === "payload.binary.data");
        if (features !== undefined) {
          expect(features.length).toBe(spec.frames * 8);
          expect(allFinite(features)).toBe(true);
        }
      }),
      { ...RUNS, numRuns: 100 },
    );
  });

  it("tabularFeatures returns the width in finite values or refuses naming fields under payload.json", () => {
    const spec = specOf(
      compileTabularSpec(
        create(TabularPreprocessingSchema, {
          features: [
            { name: "a", type: FeatureType.NUMBER, mean: 3, std: 2 },
            { name: "b", type: FeatureType.BOOLEAN, missing: MissingValue.ZERO },
            { name: "c", type: FeatureType.CATEGORY, categories: ["x", "y", ""], missing: MissingValue.MEAN },
            { name: "__proto__", type: FeatureType.NUMBER, missing: MissingValue.MEAN },
            { name: "d e", type: FeatureType.NUMBER, missing: MissingValue.ZERO },
          ],
        }),
      ),
    );
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.double(), fc.boolean(), fc.constantFrom("x", "y", ""), fc.constant(null));
    const record = fc.dictionary(fc.constantFrom("a", "b", "c", "__proto__", "d e", "z"), value);
    const payload = fc.oneof(record, fc.array(record, { maxLength: 2 }), fc.jsonValue({ maxDepth: 3 }));
    fc.assert(
      fc.property(payload, (json) => {
        const features = returnsOrRefuses(() => tabularFeatures(json, spec), (field) => field.startsWith("payload.json"));
        if (features !== undefined) {
          expect(features.length).toBe(6);
          expect(allFinite(features)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("textFeatures returns buckets finite values of length at most 1 for any string", () => {
    const spec = specOf(
      compileTextSpec(
        create(TextPreprocessingSchema, { charNgramMin: 1, charNgramMax: 4, wordNgramMin: 1, wordNgramMax: 3, buckets: 97, sublinearTf: true, l2Normalize: true, maxChars: 300 }),
      ),
    );
    const tricky = fc.constantFrom("e\u0301", "İ", "ß", "Ǆ", "\u0308", "😀", "\ud800", "\udc00", " ", "a", "1", "ﬃ", "\u1100\u1161\u11a8");
    const text = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 400 }).map((points) => String.fromCodePoint(...points)),
      fc.array(tricky, { maxLength: 400 }).map((parts) => parts.join("")),
      fc.string({ maxLength: 1000 }),
    );
    fc.assert(
      fc.property(text, (input) => {
        const features = textFeatures(input, spec);
        const norm = Math.hypot(...features);
        if (features.length !== 97 || !allFinite(features) || norm > 1 + 1e-5) throw new Error(`bad vector: length ${features.length}, norm ${norm}`);
      }),
      RUNS,
    );
  });

  it("seriesFeatures returns the width in finite values or refuses naming the samples", () => {
    const specs: SeriesSpec[] = [
      { field: "samples", length: 16, representation: SeriesRepresentation.RAW },
      { field: "samples", length: 24, representation: SeriesRepresentation.SPECTRUM, bins: 13 },
      { field: "samples", length: 7, representation: SeriesRepresentation.STATISTICS },
    ].map((init) => specOf(compileSeriesSpec(create(SeriesPreprocessingSchema, init))));
    const sample = fc.oneof({ weight: 8, arbitrary: fc.double({ min: -1e30, max: 1e30 }) }, fc.double(), fc.jsonValue({ maxDepth: 1 }));
    fc.assert(
      fc.property(fc.constantFrom(...specs), fc.array(sample, { maxLength: 40 }), (spec, samples) => {
        const features = returnsOrRefuses(
          () => seriesFeatures(samples as number[], spec),
          (field) => field === "payload.json.samples" || /^payload\.json\.samples\[\d+\]$/.test(field),
        );
        if (features !== undefined) {
          expect(features.length).toBe(spec.representation === "raw" ? 16 : spec.representation === "spectrum" ? 13 : 10);
          expect(allFinite(features)).toBe(true);
        }
      }),
      RUNS,
    );
  });
});
