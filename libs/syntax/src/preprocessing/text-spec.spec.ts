import { describe, expect, it } from "@jest/globals";
import { type MessageInitShape, create } from "@bufbuild/protobuf";
import { TextPreprocessingSchema } from "@modelrouter/contracts";
import { compileTextSpec, type TextSpec } from "./text-spec.js";

type Init = MessageInitShape<typeof TextPreprocessingSchema>;

const spec = (fields: Init): TextSpec => {
  const compiled = compileTextSpec(create(TextPreprocessingSchema, fields));
  if ("violations" in compiled) throw new Error(JSON.stringify(compiled.violations));
  return compiled.spec;
};
const violationsOf = (fields: Init): string[] => {
  const compiled = compileTextSpec(create(TextPreprocessingSchema, fields));
  return "violations" in compiled ? compiled.violations.map((v) => v.field) : [];
};

describe("compileTextSpec", () => {
  it("resolves max_chars 0 to 4,096", () => {
    expect(spec({ charNgramMin: 1, charNgramMax: 3, buckets: 64 }).maxChars).toBe(4096);
  });

  it("reads 0 and 0 as no n-grams of that kind", () => {
    const compiled = spec({ wordNgramMin: 1, wordNgramMax: 2, buckets: 8 });
    expect(compiled.charNgrams).toBeUndefined();
    expect(compiled.wordNgrams).toEqual({ min: 1, max: 2 });
  });

  it("names every field that is out of range", () => {
    expect(violationsOf({ charNgramMin: 3, charNgramMax: 2, wordNgramMin: 0, wordNgramMax: 9, buckets: 0, maxChars: 100_001 })).toEqual([
      "char_ngram_max",
      "word_ngram_min",
      "word_ngram_max",
      "buckets",
      "max_chars",
    ]);
  });

  it("refuses a spec without any n-grams", () => {
    const compiled = compileTextSpec(create(TextPreprocessingSchema, { buckets: 8 }));
    expect(compiled).toEqual({ violations: [{ field: "char_ngram_max", description: expect.stringContaining("no n-grams") }] });
  });

  it("refuses more than 1,048,576 buckets", () => {
    expect(violationsOf({ charNgramMin: 1, charNgramMax: 1, buckets: 1_048_577 })).toEqual(["buckets"]);
  });
});
