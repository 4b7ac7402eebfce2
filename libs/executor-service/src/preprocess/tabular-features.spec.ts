import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import {
  FeatureType,
  MissingValue,
  type TabularFeature,
  TabularPreprocessingSchema,
} from "@modelrouter/contracts";
import { type DomainError, ErrorReason } from "@modelrouter/errors";
import { compileTabularSpec, type TabularSpec } from "@modelrouter/syntax";
import { tabularFeatures } from "./tabular-features.js";

type Feature = Partial<Omit<TabularFeature, "$typeName">>;
const compile = (features: Feature[]): ReturnType<typeof compileTabularSpec> =>
  compileTabularSpec(create(TabularPreprocessingSchema, { features }));
const spec = (features: Feature[]): TabularSpec => {
  const compiled = compile(features);
  if ("violations" in compiled) throw new Error(JSON.stringify(compiled.violations));
  return compiled.spec;
};
const refusal = (run: () => unknown): DomainError => {
  try {
    run();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error("expected a refusal");
};

const penguin = spec([
  { name: "bill_length_mm", type: FeatureType.NUMBER, mean: 44, std: 5 },
  { name: "is_male", type: FeatureType.BOOLEAN },
  { name: "island", type: FeatureType.CATEGORY, categories: ["Biscoe", "Dream", "Torgersen"] },
  { name: "body mass (g)", type: FeatureType.NUMBER, mean: 4000, missing: MissingValue.MEAN },
]);

describe("tabularFeatures", () => {
  it("standardises numbers, reads booleans as 0 or 1, one-hots categories, in the declared order", () => {
    const row = { island: "Dream", is_male: true, bill_length_mm: 49, "body mass (g)": 4100, ignored: "x" };
    expect(Array.from(tabularFeatures(row, penguin))).toEqual([1, 1, 0, 1, 0, 100]);
  });

  it("takes a list holding exactly one record", () => {
    const row = { island: "Biscoe", is_male: false, bill_length_mm: 44 };
    expect(Array.from(tabularFeatures([row], penguin))).toEqual([0, 0, 1, 0, 0, 0]);
  });

  it("sets no column for a category it does not know", () => {
    const row = { island: "Atlantis", is_male: false, bill_length_mm: 44, "body mass (g)": 4000 };
    expect(Array.from(tabularFeatures(row, penguin))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("fills a missing field by its missing rule: the mean (0 once standardised), or zero before standardisation", () => {
    const s = spec([
      { name: "n_mean", type: FeatureType.NUMBER, mean: 10, std: 2, missing: MissingValue.MEAN },
      { name: "n_zero", type: FeatureType.NUMBER, mean: 10, std: 2, missing: MissingValue.ZERO },
      { name: "b_mean", type: FeatureType.BOOLEAN, mean: 0.25, missing: MissingValue.MEAN },
      { name: "b_zero", type: FeatureType.BOOLEAN, missing: MissingValue.ZERO },
      { name: "c", type: FeatureType.CATEGORY, categories: ["x", "y"], missing: MissingValue.MEAN },
    ]);
    expect(Array.from(tabularFeatures({ n_zero: null }, s))).toEqual([0, -5, 0.25, 0, 0, 0]);
  });

  it("refuses a record missing a required field, or of the wrong type, naming every field", () => {
    const error = refusal(() => tabularFeatures({ bill_length_mm: "49.1", is_male: 1, island: 3, "body mass (g)": 4000 }, penguin));
    expect(error.reason).toBe(ErrorReason.INVALID_FIELD);
    expect(error.violations).toEqual([
      { field: "payload.json.bill_length_mm", description: 'is the string "49.1": the model needs a JSON number (not a string) of magnitude at most 1e30' },
      { field: "payload.json.is_male", description: "is the number 1: the model needs a JSON boolean, true or false" },
      { field: "payload.json.island", description: 'is the number 3: the model needs a string, one of "Biscoe", "Dream", "Torgersen"' },
    ]);
    const missing = refusal(() => tabularFeatures([{ island: "Dream", is_male: null }], penguin));
    expect(missing.violations.map((v) => [v.field, v.description.split(":")[0]])).toEqual([
      ["payload.json[0].bill_length_mm", "is missing"],
      ["payload.json[0].is_male", "is null"],
    ]);
  });

  it("names a field that is not an identifier in brackets", () => {
    const s = spec([{ name: "body mass (g)", type: FeatureType.NUMBER }]);
    expect(refusal(() => tabularFeatures({}, s)).violations[0]?.field).toBe('payload.json["body mass (g)"]');
  });

  it("refuses what is not one record, naming the payload field", () => {
    for (const payload of [[], [{}, {}], 42, "row", null, [1]]) {
      const error = refusal(() => tabularFeatures(payload, penguin, "payload.json"));
      expect(error.violations).toEqual([{ field: "payload.json", description: expect.stringContaining("send one record") }]);
    }
  });

  it("does not read inherited properties as fields", () => {
    const s = spec([{ name: "constructor", type: FeatureType.NUMBER, missing: MissingValue.ZERO }]);
    expect(Array.from(tabularFeatures({}, s))).toEqual([0]);
  });
});
