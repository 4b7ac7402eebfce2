import type { NgramRange, TextSpec } from "@modelrouter/syntax";
import { FNV1A_OFFSET, fnv1a, utf8Of } from "./fnv1a.js";

const CHAR_PREFIX = fnv1a(FNV1A_OFFSET, [0x63, 0x3a]); // "c:"
const WORD_PREFIX = fnv1a(FNV1A_OFFSET, [0x77, 0x3a]); // "w:"
const FNV_PRIME = 0x01000193;
const SPACE = 0x20;
const NO_SEPARATOR = -1;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** Tokens as one run of UTF-8 bytes: token i is `bytes[starts[i]]` to `bytes[starts[i + 1]]` (exclusive). */
interface Tokens {
  readonly bytes: Uint8Array;
  readonly starts: Int32Array;
}

/**
 * The hashed n-gram vector of a text (length `spec.buckets`), as `TextPreprocessing` defines it: NFC-normalise
 * and lower-case the text, keep its first `maxChars` code points; count the character n-grams of the text
 * padded with one space at each end and the word n-grams of its words (runs of letters, digits and marks,
 * joined by one space), each hashed as FNV-1a 32 of its UTF-8 bytes prefixed "c:" or "w:", modulo `buckets`;
 * then log(1 + count) if `sublinearTf`, then unit length if `l2Normalize` (a vector of zeros stays zeros).
 * Only the text's first 4 × `maxChars` UTF-16 code units are read, which bounds the work whatever its length.
 * Pure and deterministic: the same function builds a model's training data and serves it.
 */
export function textFeatures(text: string, spec: TextSpec): Float32Array {
  const kept = keptText(text, spec.maxChars);
  const counts = new Float64Array(spec.buckets);
  if (spec.charNgrams !== undefined) {
    countNgrams(tokensOf([" ", ...kept, " "]), spec.charNgrams, CHAR_PREFIX, NO_SEPARATOR, counts);
  }
  if (spec.wordNgrams !== undefined) {
    countNgrams(tokensOf(kept.join("").match(WORD) ?? []), spec.wordNgrams, WORD_PREFIX, SPACE, counts);
  }
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] ?? 0;
    if (c === 0) continue;
    const value = spec.sublinearTf ? Math.log1p(c) : c;
    counts[i] = value;
    sum += value * value;
  }
  const norm = Math.sqrt(sum);
  if (spec.l2Normalize && norm > 0) {
    for (let i = 0; i < counts.length; i++) counts[i] = (counts[i] ?? 0) / norm;
  }
  return Float32Array.from(counts);
}

/** The code points a text is reduced to: NFC, lower case, at most `maxChars`. */
function keptText(text: string, maxChars: number): string[] {
  let head = text.length > maxChars * 4 ? text.slice(0, maxChars * 4) : text;
  const last = head.charCodeAt(head.length - 1);
  if (head.length < text.length && last >= 0xd800 && last <= 0xdbff) head = head.slice(0, -1);
  return Array.from(head.normalize("NFC").toLowerCase()).slice(0, maxChars);
}

/** The UTF-8 bytes of each token (a lone surrogate as U+FFFD). */
function tokensOf(tokens: readonly string[]): Tokens {
  const parts: number[] = [];
  const starts = new Int32Array(tokens.length + 1);
  tokens.forEach((token, i) => {
    starts[i] = parts.length;
    for (const ch of token) parts.push(...utf8Of(ch.codePointAt(0) ?? 0));
  });
  starts[tokens.length] = parts.length;
  return { bytes: Uint8Array.from(parts), starts };
}

/**
 * Adds the n-grams of `tokens`, joined by the byte `separator` (or nothing), hashed after `prefix`, to
 * `counts`: FNV-1a 32, fed byte by byte.
 */
function countNgrams(tokens: Tokens, range: NgramRange, prefix: number, separator: number, counts: Float64Array): void {
  const { bytes, starts } = tokens;
  const count = starts.length - 1;
  const buckets = counts.length;
  for (let start = 0; start < count; start++) {
    let hash = prefix;
    for (let n = 1; n <= range.max && start + n <= count; n++) {
      if (n > 1 && separator !== NO_SEPARATOR) hash = Math.imul(hash ^ separator, FNV_PRIME) >>> 0;
      const token = start + n - 1;
      const end = starts[token + 1] ?? 0;
      for (let b = starts[token] ?? 0; b < end; b++) hash = Math.imul(hash ^ (bytes[b] ?? 0), FNV_PRIME) >>> 0;
      if (n >= range.min) counts[hash % buckets] = (counts[hash % buckets] ?? 0) + 1;
    }
  }
}
