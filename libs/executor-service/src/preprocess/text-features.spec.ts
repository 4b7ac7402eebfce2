import { describe, expect, it } from "@jest/globals";
import { type MessageInitShape, create } from "@bufbuild/protobuf";
import { TextPreprocessingSchema } from "@modelrouter/contracts";
import { compileTextSpec, type TextSpec } from "@modelrouter/syntax";
import { textFeatures } from "./text-features.js";

type Init = MessageInitShape<typeof TextPreprocessingSchema>;

const spec = (fields: Init): TextSpec => {
  const compiled = compileTextSpec(create(TextPreprocessingSchema, fields));
  if ("violations" in compiled) throw new Error(JSON.stringify(compiled.violations));
  return compiled.spec;
};
const nonZero = (vector: Float32Array): Record<number, number> =>
  Object.fromEntries([...vector.entries()].filter(([, x]) => x !== 0));

describe("textFeatures", () => {
  it("hashes each n-gram as FNV-1a 32 of its UTF-8 bytes prefixed c: or w:, modulo buckets", () => {
    // FNV-1a 32 (mod 1,048,576): "c:a" = 301464219 (522907), "c: " = 3505886280 (496712), "c: a" (933003).
    const vector = textFeatures("a", spec({ charNgramMin: 1, charNgramMax: 1, buckets: 1_048_576 }));
    expect(vector.length).toBe(1_048_576);
    expect(nonZero(vector)).toEqual({ 522907: 1, 496712: 2 });
    const words = textFeatures("Hello world", spec({ wordNgramMin: 1, wordNgramMax: 2, buckets: 1_048_576 }));
    expect(words[359604]).toBe(1); // "w:hello"
    expect(words[904456]).toBe(1); // "w:hello world"
  });

  it("counts the character n-grams of the text padded with one space at each end", () => {
    const counts = textFeatures("abc", spec({ charNgramMin: 1, charNgramMax: 3, buckets: 1 }));
    // " abc ": 5 unigrams, 4 bigrams, 3 trigrams
    expect(Array.from(counts)).toEqual([12]);
    expect(textFeatures("a", spec({ charNgramMin: 2, charNgramMax: 2, buckets: 1_048_576 }))[933003]).toBe(1);
  });

  it("counts the word n-grams of runs of letters, digits and marks", () => {
    const counts = textFeatures("Hi, there: 42 café!", spec({ wordNgramMin: 1, wordNgramMax: 2, buckets: 1 }));
    // words hi, there, 42, café: 4 unigrams and 3 bigrams
    expect(Array.from(counts)).toEqual([7]);
  });

  it("gives the same vector for the same text in any case and Unicode normal form", () => {
    const s = spec({ charNgramMin: 1, charNgramMax: 4, wordNgramMin: 1, wordNgramMax: 2, buckets: 4096 });
    const composed = textFeatures("Ça va, Éloïse", s);
    expect(textFeatures("ça va, éloïse", s)).toEqual(composed);
    expect(textFeatures("C\u0327a va, E\u0301loi\u0308se", s)).toEqual(composed);
  });

  it("keeps only the first max_chars code points", () => {
    const s = spec({ charNgramMin: 1, charNgramMax: 1, buckets: 1, maxChars: 2 });
    expect(Array.from(textFeatures("abcdef", s))).toEqual([4]);
    expect(Array.from(textFeatures("😀😀😀", s))).toEqual([4]);
  });

  it("takes log(1 + count) with sublinear_tf", () => {
    const vector = textFeatures("aaaa", spec({ charNgramMin: 1, charNgramMax: 1, buckets: 1_048_576, sublinearTf: true }));
    expect(vector[522907]).toBeCloseTo(Math.log(5), 6);
    expect(vector[496712]).toBeCloseTo(Math.log(3), 6);
  });

  it("scales the vector to unit length with l2_normalize, and leaves a vector of zeros as zeros", () => {
    const s = spec({ wordNgramMin: 1, wordNgramMax: 1, buckets: 64, l2Normalize: true });
    const vector = textFeatures("the cat and the hat", s);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 6);
    expect(Array.from(textFeatures("?!", s)).every((x) => x === 0)).toBe(true);
  });

  it("reads a text far longer than max_chars in bounded work and the same as its head", () => {
    const s = spec({ charNgramMin: 1, charNgramMax: 3, buckets: 256, maxChars: 10 });
    expect(textFeatures("x".repeat(5_000_000), s)).toEqual(textFeatures("x".repeat(10), s));
  });
});
