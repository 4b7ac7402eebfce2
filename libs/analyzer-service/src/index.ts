/**
 * The analyzer: turns a payload into an `InputProfile` (modality detected from the bytes, MIME type, size,
 * image/audio/text/tabular/tensor sub-profile, metadata, warnings), and serves it as
 * `modelrouter.analyzer.v1.AnalyzerService`. Detection is pure and bounded; the only dependency is a
 * language detector, loaded once per service instance.
 *
 * @packageDocumentation
 */
export { createAnalyzerService } from "./analyzer-service.js";
export { analyzePayload, type AnalyzerDeps } from "./analyze-payload.js";
export {
  createLanguageDetector,
  LANGUAGE_SAMPLE_CHARS,
  type EldDatabase,
  type LanguageDetector,
  type LanguageDetectorOptions,
  type LanguageGuess,
} from "./language-detector.js";
export { ANALYZER_LIMITS } from "./limits.js";
export { TENSOR_MIME_TYPE } from "./profile-parts.js";
export type { Detection } from "./detection.js";
export type { AudioHeader, ImageFormat, ImageHeader, WavEncoding } from "./media-header.js";
export { readPngHeader } from "./png-header.js";
export { readJpegHeader } from "./jpeg-header.js";
export { readGifHeader } from "./gif-header.js";
export { readWebpHeader } from "./webp-header.js";
export { readBmpHeader } from "./bmp-header.js";
export { readWavHeader } from "./wav-header.js";
