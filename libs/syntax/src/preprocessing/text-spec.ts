import type { TextPreprocessing } from "@modelrouter/contracts";
import { type FieldViolation, Violations } from "@modelrouter/errors";
import { DEFAULT_TEXT_CHARS, MAX_TEXT_BUCKETS, MAX_TEXT_CHARS, MAX_TEXT_NGRAM } from "./limits.js";

/** An inclusive range of n-gram lengths. */
export interface NgramRange {
  readonly min: number;
  readonly max: number;
}

/** The text pre-processing of a model, with every default resolved. */
export interface TextSpec {
  /** Character n-gram lengths; undefined: none. */
  readonly charNgrams: NgramRange | undefined;
  /** Word n-gram lengths; undefined: none. */
  readonly wordNgrams: NgramRange | undefined;
  /** The tensor's width (1 to 1,048,576). */
  readonly buckets: number;
  readonly sublinearTf: boolean;
  readonly l2Normalize: boolean;
  /** Code points kept of a text (resolved: never 0). */
  readonly maxChars: number;
}

/**
 * Checks a `TextPreprocessing` and resolves its defaults (`max_chars` 0 ⇒ 4,096). Returns the spec, or every
 * problem with its path relative to the `TextPreprocessing` message.
 */
export function compileTextSpec(
  text: TextPreprocessing,
): { readonly spec: TextSpec } | { readonly violations: readonly FieldViolation[] } {
  const v = new Violations();
  const charNgrams = ngramRange("char", text.charNgramMin, text.charNgramMax, v);
  const wordNgrams = ngramRange("word", text.wordNgramMin, text.wordNgramMax, v);
  if (v.empty && charNgrams === undefined && wordNgrams === undefined) {
    v.add("char_ngram_max", "no n-grams are declared: set char_ngram_min/max or word_ngram_min/max, for example 1 and 3");
  }
  if (text.buckets < 1 || text.buckets > MAX_TEXT_BUCKETS) {
    v.add("buckets", `must be 1 to ${MAX_TEXT_BUCKETS} (the tensor's width), not ${text.buckets}`);
  }
  if (text.maxChars > MAX_TEXT_CHARS) {
    v.add("max_chars", `must be at most ${MAX_TEXT_CHARS} code points (0 means ${DEFAULT_TEXT_CHARS}), not ${text.maxChars}`);
  }
  if (!v.empty) return { violations: v.items };
  return {
    spec: {
      charNgrams,
      wordNgrams,
      buckets: text.buckets,
      sublinearTf: text.sublinearTf,
      l2Normalize: text.l2Normalize,
      maxChars: text.maxChars === 0 ? DEFAULT_TEXT_CHARS : text.maxChars,
    },
  };
}

function ngramRange(kind: "char" | "word", min: number, max: number, v: Violations): NgramRange | undefined {
  if (min === 0 && max === 0) return undefined;
  const before = v.items.length;
  if (min < 1 || min > MAX_TEXT_NGRAM) {
    v.add(`${kind}_ngram_min`, `must be 1 to ${MAX_TEXT_NGRAM} (or 0 with ${kind}_ngram_max 0 for no ${kind} n-grams), not ${min}`);
  }
  if (max < 1 || max > MAX_TEXT_NGRAM) {
    v.add(`${kind}_ngram_max`, `must be 1 to ${MAX_TEXT_NGRAM} (or 0 with ${kind}_ngram_min 0 for no ${kind} n-grams), not ${max}`);
  } else if (max < min) {
    v.add(`${kind}_ngram_max`, `must be at least ${kind}_ngram_min (${min}), not ${max}`);
  }
  return v.items.length === before ? { min, max } : undefined;
}
