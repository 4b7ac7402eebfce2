/**
 * The analyzer: turns a payload into an `InputProfile` (modality detected from the bytes, MIME type, size,
 * image/audio/text/tabular/tensor sub-profile, metadata, warnings), and serves it as
 * `modelrouter.analyzer.v1.AnalyzerService`. Detection is pure and linear in the payload's size, with bounded
 * decoding of small images' pixels and the first seconds of audio (see docs/analyzer.md); the only
 * dependency is a language detector, loaded once per service instance.
 *
 * @packageDocumentation
 */
export { startAnalyzer } from "./analyzer-component.js";
export { createAnalyzerService } from "./analyzer-service.js";
export type { AnalyzerDeps } from "./analyze-payload.js";
export {
  createLanguageDetector,
  type EldDatabase,
  type LanguageDetector,
  type LanguageDetectorOptions,
  type LanguageGuess,
} from "./text/language-detector.js";
