import { describe, expect, it } from "@jest/globals";
import { type MessageInitShape, create } from "@bufbuild/protobuf";
import { SeriesPreprocessingSchema, SeriesRepresentation } from "@modelrouter/contracts";
import { type DomainError, ErrorReason } from "@modelrouter/errors";
import { compileSeriesSpec, type SeriesSpec } from "@modelrouter/syntax";
import { seriesFeatures } from "./series-features.js";

type Init = MessageInitShape<typeof SeriesPreprocessingSchema>;

const spec = (fields: Init): SeriesSpec => {
  const compiled = compileSeriesSpec(create(SeriesPreprocessingSchema, { field: "samples", ...fields }));
  if ("violations" in compiled) throw new Error(JSON.stringify(compiled.violations));
  return compiled.spec;
};
const values = (x: Float32Array): number[] => Array.from(x, (v) => Math.round(v * 1e5) / 1e5);
const refusal = (run: () => unknown): DomainError => {
  try {
    run();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error("expected a refusal");
};
const { RAW, SPECTRUM, STATISTICS } = SeriesRepresentation;

describe("seriesFeatures", () => {
  it("standardises the raw samples to mean 0 and unit variance", () => {
    expect(values(seriesFeatures([1, 2, 3, 4], spec({ length: 4, representation: RAW })))).toEqual([-1.34164, -0.44721, 0.44721, 1.34164]);
  });

  it("cuts a long signal and pads a short one with its last sample", () => {
    const s = spec({ length: 4, representation: STATISTICS });
    expect(seriesFeatures([1, 2, 3, 4, 100, 200], s)).toEqual(seriesFeatures([1, 2, 3, 4], s));
    expect(seriesFeatures([1, 2, 3], s)).toEqual(seriesFeatures([1, 2, 3, 3], s));
  });

  it("gives a constant signal as zeros, not NaN", () => {
    expect(Array.from(seriesFeatures([5, 5, 5], spec({ length: 3, representation: RAW })))).toEqual([0, 0, 0]);
    expect(Array.from(seriesFeatures([5], spec({ length: 4, representation: SPECTRUM, bins: 3 })))).toEqual([0, 0, 0]);
  });

  it("gives the DFT magnitudes of the standardised signal, of any length", () => {
    // cos has σ = 1/√2, so the standardised signal is √2·cos: |X[k]| = N/2 · √2 at its frequency (4√2, 3√2)
    const cosine = Array.from({ length: 8 }, (_, i) => Math.cos((2 * Math.PI * 2 * i) / 8));
    expect(values(seriesFeatures(cosine, spec({ length: 8, representation: SPECTRUM, bins: 5 })))).toEqual([0, 0, 5.65685, 0, 0]);
    const cosine6 = Array.from({ length: 6 }, (_, i) => Math.cos((2 * Math.PI * i) / 6));
    expect(values(seriesFeatures(cosine6, spec({ length: 6, representation: SPECTRUM, bins: 4 })))).toEqual([0, 4.24264, 0, 0]);
  });

  it("gives the ten statistics in their order", () => {
    const stats = values(seriesFeatures([1, -1, 1, -1, 3], spec({ length: 5, representation: STATISTICS })));
    // mean 0.6, σ = √(((0.4)²·2 + (1.6)²·2 + 2.4²)/5) = √2.24, min −1, max 3, rms √(13/5), p2p 4,
    // skewness m3/σ³, excess kurtosis m4/σ⁴ − 3, zero crossings 4 of 4 pairs, crest 3/√2.6
    const sigma = Math.sqrt(2.24);
    const m3 = (2 * 0.4 ** 3 + 2 * -(1.6 ** 3) + 2.4 ** 3) / 5;
    const m4 = (2 * 0.4 ** 4 + 2 * 1.6 ** 4 + 2.4 ** 4) / 5;
    const expected = [0.6, sigma, -1, 3, Math.sqrt(2.6), 4, m3 / sigma ** 3, m4 / sigma ** 4 - 3, 1, 3 / Math.sqrt(2.6)];
    expect(stats).toEqual(expected.map((x) => Math.round(Math.fround(x) * 1e5) / 1e5));
  });

  it("refuses an empty signal and names every sample that is not a number", () => {
    const s = spec({ length: 8, representation: RAW });
    expect(refusal(() => seriesFeatures([], s)).violations).toEqual([{ field: "payload.json.samples", description: expect.stringContaining("is empty") }]);
    const error = refusal(() => seriesFeatures([1, "2", null, 1e31, Number.NaN] as unknown as number[], s));
    expect(error.reason).toBe(ErrorReason.INVALID_FIELD);
    expect(error.violations.map((v) => v.field)).toEqual([
      "payload.json.samples[1]",
      "payload.json.samples[2]",
      "payload.json.samples[3]",
      "payload.json.samples[4]",
    ]);
    expect(error.violations[0]?.description).toBe('is the string "2": every sample must be a number of magnitude at most 1e30');
  });

  it("names the tensor when the spec reads one, or the field it is given", () => {
    const tensorSpec = spec({ field: "", length: 2, representation: RAW });
    expect(refusal(() => seriesFeatures([], tensorSpec)).violations[0]?.field).toBe("payload.tensor");
    expect(refusal(() => seriesFeatures([], tensorSpec, "payload.tensor.float_data")).violations[0]?.field).toBe("payload.tensor.float_data");
  });
});
