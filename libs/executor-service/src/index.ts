/**
 * The executor service: runs ONNX model versions on payloads in a pool of worker threads (one ONNX Runtime
 * session set per thread, so the event loop never blocks), with image pre-processing and classification
 * post-processing done in the workers, a bounded queue with load shedding, deadlines and cancellation, and
 * per-model statistics for load-aware routing.
 *
 * A process reads {@link readExecutorConfig} once and {@link startExecutor} returns the component to serve (or
 * to call in-process). {@link preprocessImage} is the image pre-processing spec itself, shared with the
 * model-zoo trainer. What other projects' tests need is in `@modelrouter/executor-service/testing`.
 *
 * @packageDocumentation
 */
export { readExecutorConfig, startExecutor, type ExecutorComponent, type ExecutorConfig } from "./executor-component.js";
export { preprocessImage, type PreprocessedImage } from "./preprocess-image.js";
