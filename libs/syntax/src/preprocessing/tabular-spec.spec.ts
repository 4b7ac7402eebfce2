import { describe, expect, it } from "@jest/globals";
import { type MessageInitShape, create } from "@bufbuild/protobuf";
import { FeatureType, MissingValue, TabularPreprocessingSchema } from "@modelrouter/contracts";
import { compileTabularSpec, type TabularSpec, tabularWidth } from "./tabular-spec.js";

type Feature = NonNullable<MessageInitShape<typeof TabularPreprocessingSchema>["features"]>[number];
const compile = (features: Feature[]): ReturnType<typeof compileTabularSpec> =>
  compileTabularSpec(create(TabularPreprocessingSchema, { features }));
const spec = (features: Feature[]): TabularSpec => {
  const compiled = compile(features);
  if ("violations" in compiled) throw new Error(JSON.stringify(compiled.violations));
  return compiled.spec;
};
const fieldsOf = (features: Feature[]): string[] => {
  const compiled = compile(features);
  return "violations" in compiled ? compiled.violations.map((v) => v.field) : [];
};

const penguin = spec([
  { name: "bill_length_mm", type: FeatureType.NUMBER, mean: 44, std: 5 },
  { name: "is_male", type: FeatureType.BOOLEAN },
  { name: "island", type: FeatureType.CATEGORY, categories: ["Biscoe", "Dream", "Torgersen"] },
  { name: "body mass (g)", type: FeatureType.NUMBER, mean: 4000, missing: MissingValue.MEAN },
]);

describe("compileTabularSpec", () => {
  it("resolves std 0 to 1 and counts one column per number or boolean and one per category", () => {
    const [, , , mass] = penguin.features;
    expect(mass).toMatchObject({ type: "number", mean: 4000, std: 1, missing: "mean" });
    expect(tabularWidth(penguin)).toBe(6);
  });

  it("names each problem: no features, a name twice, a category without categories, a type missing", () => {
    expect(compile([])).toEqual({ violations: [{ field: "features", description: expect.stringContaining("is empty") }] });
    const fields = fieldsOf([
      { name: "a", type: FeatureType.NUMBER, std: -1 },
      { name: "a", type: FeatureType.NUMBER },
      { name: "c", type: FeatureType.CATEGORY },
      { name: "d", type: FeatureType.CATEGORY, categories: ["x", "x"] },
      { name: "e" },
      { name: "", type: FeatureType.BOOLEAN, categories: ["y"] },
      { name: "g", type: FeatureType.NUMBER, mean: Number.NaN },
    ]);
    expect(fields).toEqual([
      "features[0].std",
      "features[1].name",
      "features[2].categories",
      "features[3].categories[1]",
      "features[4].type",
      "features[5].name",
      "features[5].categories",
      "features[6].mean",
    ]);
  });

  it("refuses a boolean mean outside 0 to 1 and a mean or std on a category", () => {
    const fields = fieldsOf([
      { name: "a", type: FeatureType.BOOLEAN, mean: 2 },
      { name: "b", type: FeatureType.CATEGORY, categories: ["x"], std: 2 },
    ]);
    expect(fields).toEqual(["features[0].mean", "features[1].std"]);
  });

  it("reports ten faulty features one by one and counts the rest", () => {
    const fields = fieldsOf(Array.from({ length: 25 }, (_, i) => ({ name: `f${i}` })));
    expect(fields).toEqual([...Array.from({ length: 10 }, (_, i) => `features[${i}].type`), "features"]);
  });

  it("bounds the features, the categories and the columns", () => {
    expect(fieldsOf(Array.from({ length: 1025 }, (_, i) => ({ name: `f${i}`, type: FeatureType.NUMBER })))).toEqual(["features"]);
    const many = Array.from({ length: 1025 }, (_, i) => `c${i}`);
    expect(fieldsOf([{ name: "c", type: FeatureType.CATEGORY, categories: many }])).toEqual(["features[0].categories"]);
    const wide = Array.from({ length: 65 }, (_, i) => ({ name: `c${i}`, type: FeatureType.CATEGORY, categories: many.slice(0, 1024) }));
    expect(fieldsOf(wide)).toEqual(["features"]);
  });
});
