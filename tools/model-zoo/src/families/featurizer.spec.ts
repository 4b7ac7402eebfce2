import { describe, expect, it } from "@jest/globals";
import { FeatureType, MissingValue, SeriesRepresentation } from "@modelrouter/contracts";
import { encodeWav16 } from "../audio/wav.js";
import { featurizerFor } from "./featurizer.js";

describe("featurizerFor", () => {
  it("makes text inputs of the declared width with the executor's n-gram hashing", () => {
    const f = featurizerFor("t", { kind: { case: "text", value: { charNgramMin: 1, charNgramMax: 2, buckets: 64, l2Normalize: true } } });
    expect(f.sampleShape).toEqual([64]);
    const v = f.features({ text: "Hallo Welt" });
    expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    expect(() => f.features({ json: {} })).toThrow("a text model needs a text payload");
  });

  it("makes tabular inputs in declared order, standardised, categories one-hot", () => {
    const f = featurizerFor("p", {
      kind: {
        case: "tabular",
        value: {
          features: [
            { name: "mass", type: FeatureType.NUMBER, mean: 10, std: 2, missing: MissingValue.MEAN },
            { name: "island", type: FeatureType.CATEGORY, categories: ["a", "b"], missing: MissingValue.MEAN },
          ],
        },
      },
    });
    expect(f.sampleShape).toEqual([3]);
    expect(Array.from(f.features({ json: { mass: 14, island: "b" } }))).toEqual([2, 0, 1]);
  });

  it("reads a series from the record's field, and audio as [1, frames, bands]", () => {
    const series = featurizerFor("s", { kind: { case: "series", value: { field: "samples", length: 8, representation: SeriesRepresentation.STATISTICS } } });
    expect(series.sampleShape).toEqual([10]);
    expect(series.features({ json: { samples: [1, 2, 3, 4, 5, 6, 7, 8] } })).toHaveLength(10);
    const audio = featurizerFor("a", { kind: { case: "audio", value: { sampleRateHz: 8000, durationMs: 200, frameMs: 25, hopMs: 10, melBands: 8 } } });
    const [one, frames, bands] = audio.sampleShape;
    expect([one, bands]).toEqual([1, 8]);
    expect(audio.features({ audio: encodeWav16(new Float32Array(1600), 8000) })).toHaveLength((frames ?? 0) * 8);
  });

  it("refuses a preprocessing the executor would refuse, naming the field", () => {
    expect(() => featurizerFor("bad", { kind: { case: "text", value: { buckets: 0 } } })).toThrow(/bad: preprocessing.text: .*buckets/);
  });
});
