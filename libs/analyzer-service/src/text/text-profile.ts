import { create } from "@bufbuild/protobuf";
import { type TextProfile, TextProfileSchema } from "@modelrouter/contracts";
import { LANGUAGE_SAMPLE_CHARS, type LanguageDetector } from "./language-detector.js";
import { type TextStats, lineCount, tokenEstimate } from "./text-stats.js";
import { dominantScript } from "./unicode-script.js";

/** UTF-8 needs at most 4 bytes per character, so this many bytes hold a full language sample. */
const SAMPLE_BYTES = LANGUAGE_SAMPLE_CHARS * 4;

/** The first {@link LANGUAGE_SAMPLE_CHARS} UTF-16 units of a string, never splitting a surrogate pair. */
export function stringSample(text: string): string {
  if (text.length <= LANGUAGE_SAMPLE_CHARS) return text;
  const last = text.charCodeAt(LANGUAGE_SAMPLE_CHARS - 1);
  const cut = last >= 0xd800 && last <= 0xdbff ? LANGUAGE_SAMPLE_CHARS - 1 : LANGUAGE_SAMPLE_CHARS;
  return text.slice(0, cut);
}

/** The language sample of valid UTF-8 bytes: a prefix cut at a character boundary, decoded without copying the rest. */
export function utf8Sample(bytes: Uint8Array): string {
  let end = Math.min(bytes.length, SAMPLE_BYTES);
  while (end < bytes.length && end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return stringSample(new TextDecoder("utf-8").decode(bytes.subarray(0, end)));
}

/**
 * A TextProfile from a text's counts and a sample of its beginning (at most {@link LANGUAGE_SAMPLE_CHARS}
 * characters), from which the language and the dominant script are told.
 */
export function textProfile(stats: TextStats, sample: string, detector: LanguageDetector): TextProfile {
  const guess = detector.detect(sample);
  return create(TextProfileSchema, {
    length: stats.codePoints,
    wordCount: stats.words,
    language: guess.language,
    languageConfidence: guess.confidence,
    script: dominantScript(sample),
    tokenEstimate: Math.min(tokenEstimate(stats), 0xffff_ffff),
    lineCount: Math.min(lineCount(stats), 0xffff_ffff),
  });
}
