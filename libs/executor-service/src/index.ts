/**
 * The executor service: runs ONNX model versions on payloads in a pool of worker threads (one ONNX Runtime
 * session set per thread, so the event loop never blocks), with pre-processing (image, text, tabular, audio,
 * series) and post-processing (classification, binary, regression) done in the workers, bounded per-model queues
 * with load shedding and a retry hint, deadlines checked before work starts, cancellation, dynamic batching for
 * models with a batch axis, and per-model statistics for load-aware routing.
 *
 * A process reads {@link readExecutorConfig} once and {@link startExecutor} returns the component to serve (or
 * to call in-process); given a registry client, the component follows the registry's models (preloads the
 * ACTIVE ones as they are registered, unloads the deregistered ones). {@link preprocessImage} is the image pre-processing spec itself, and the `*Features`
 * functions (with the `compile*Spec` checks of `@modelrouter/syntax`, re-exported) the text, tabular, audio and
 * series pre-processing: shared with the model-zoo trainer, so that a model is trained on exactly what it is
 * served. What other projects' tests need is in `@modelrouter/executor-service/testing`.
 *
 * @packageDocumentation
 */
export {
  readExecutorConfig,
  startExecutor,
  type ExecutorComponent,
  type ExecutorConfig,
  type StartExecutorOptions,
} from "./executor-component.js";
export { preprocessImage, type PreprocessedImage } from "./preprocess-image.js";
export {
  audioFrames,
  compileAudioSpec,
  compileSeriesSpec,
  compileTabularSpec,
  compileTextSpec,
  seriesWidth,
  tabularWidth,
  type AudioSpec,
  type MissingRule,
  type NgramRange,
  type SeriesSpec,
  type TabularFeatureSpec,
  type TabularSpec,
  type TextSpec,
} from "@modelrouter/syntax";
export { textFeatures } from "./preprocess/text-features.js";
export { tabularFeatures } from "./preprocess/tabular-features.js";
export { decodeWav, type DecodedAudio } from "./preprocess/wav-decode.js";
export { audioFeatures } from "./preprocess/audio-features.js";
export { seriesFeatures } from "./preprocess/series-features.js";
