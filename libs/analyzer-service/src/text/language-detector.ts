/** A language guess for a text. */
export interface LanguageGuess {
  /** ISO 639-1 code, or "" when the language could not be told reliably. */
  readonly language: string;
  /** The detector's score of that language, from 0 to 1 (0 when `language` is ""); not a calibrated probability. */
  readonly confidence: number;
}

/** Tells the language of a text sample. Implementations must be pure functions of the sample. */
export interface LanguageDetector {
  /** Guesses the language of `sample`; only its first {@link LANGUAGE_SAMPLE_CHARS} characters are used. */
  detect(sample: string): LanguageGuess;
}

/** The most characters of a text the detector looks at (eld itself reads no more than 1,000). */
export const LANGUAGE_SAMPLE_CHARS = 1000;

/** The n-gram databases eld ships: larger is slightly more accurate on short texts and uses more memory. */
export type EldDatabase = "extrasmall" | "small" | "medium" | "large";

/** Options of {@link createLanguageDetector}. */
export interface LanguageDetectorOptions {
  /** eld's database; default "small" (about 50 MB of heap, a few hundred milliseconds to load). */
  readonly database?: EldDatabase;
}

/** The score gap under which the best two languages are a tie (eld 2.1.0's own gap check compares the wrong values). */
const MIN_MARGIN = 0.01;

/**
 * A {@link LanguageDetector} backed by eld (Efficient Language Detector, 60 languages, n-gram based). Loads its
 * own eld instance and database, so call it once per service instance and share the result. A language is
 * reported only when eld deems the result reliable (enough n-grams and a score near that language's average)
 * and it beats the runner-up by at least 0.01; the confidence is eld's score of the language.
 */
export async function createLanguageDetector(options: LanguageDetectorOptions = {}): Promise<LanguageDetector> {
  const module = await import("eld");
  const root = module.eld;
  if (!("load" in root)) throw new Error("the eld package's root entry cannot load a database");
  const eld = root.newInstance();
  await eld.load(options.database ?? "small");
  return {
    detect(sample: string): LanguageGuess {
      const text = sample.length > LANGUAGE_SAMPLE_CHARS ? sample.slice(0, LANGUAGE_SAMPLE_CHARS) : sample;
      const result = eld.detect(text);
      if (result.language === "" || !result.isReliable()) return { language: "", confidence: 0 };
      const scores = result.getScores();
      const score = scores[result.language] ?? 0;
      let runnerUp = 0;
      for (const [language, other] of Object.entries(scores)) {
        if (language !== result.language && other > runnerUp) runnerUp = other;
      }
      if (score - runnerUp < MIN_MARGIN) return { language: "", confidence: 0 };
      return { language: result.language, confidence: Math.min(1, Math.max(0, score)) };
    },
  };
}
