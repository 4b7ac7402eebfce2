import { describe, expect, it } from "@jest/globals";
import { type MessageInitShape, create } from "@bufbuild/protobuf";
import { SeriesPreprocessingSchema, SeriesRepresentation } from "@modelrouter/contracts";
import { compileSeriesSpec, type SeriesSpec, seriesWidth } from "./series-spec.js";

type Init = MessageInitShape<typeof SeriesPreprocessingSchema>;

const spec = (fields: Init): SeriesSpec => {
  const compiled = compileSeriesSpec(create(SeriesPreprocessingSchema, fields));
  if ("violations" in compiled) throw new Error(JSON.stringify(compiled.violations));
  return compiled.spec;
};
const fieldsOf = (fields: Init): string[] => {
  const compiled = compileSeriesSpec(create(SeriesPreprocessingSchema, fields));
  return "violations" in compiled ? compiled.violations.map((v) => v.field) : [];
};
const { RAW, SPECTRUM, STATISTICS } = SeriesRepresentation;

describe("compileSeriesSpec", () => {
  it("gives the width of each representation: length, bins or 10", () => {
    expect(seriesWidth(spec({ length: 64, representation: RAW }))).toBe(64);
    expect(seriesWidth(spec({ length: 64, representation: SPECTRUM, bins: 33 }))).toBe(33);
    expect(seriesWidth(spec({ length: 64, representation: STATISTICS }))).toBe(10);
  });

  it("requires a length and a representation", () => {
    expect(fieldsOf({})).toEqual(["length", "representation"]);
  });

  it("allows 1 to length / 2 + 1 spectrum bins, and bins for the spectrum only", () => {
    expect(fieldsOf({ length: 64, representation: SPECTRUM, bins: 34 })).toEqual(["bins"]);
    expect(fieldsOf({ length: 64, representation: SPECTRUM, bins: 0 })).toEqual(["bins"]);
    expect(fieldsOf({ length: 64, representation: RAW, bins: 4 })).toEqual(["bins"]);
    expect(fieldsOf({ length: 65_537, representation: RAW })).toEqual(["length"]);
  });
});
