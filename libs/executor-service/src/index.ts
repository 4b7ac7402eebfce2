/**
 * The executor service: runs ONNX model versions on payloads in a pool of worker threads (one ONNX Runtime
 * session set per thread, so the event loop never blocks), with image pre-processing and classification
 * post-processing done in the workers, a bounded queue with load shedding, deadlines and cancellation, and
 * per-model statistics for load-aware routing. {@link preprocessImage} is the image pre-processing spec itself,
 * shared with the model-zoo trainer.
 *
 * @packageDocumentation
 */
export { createExecutorService, type ExecutorServiceOptions } from "./executor-service.js";
export {
  createWorkerPool,
  type InferenceResult,
  type RunOptions,
  type WorkerPool,
  type WorkerPoolOptions,
} from "./worker-pool.js";
export type { ModelStats, PoolStats } from "./pool-stats.js";
export { planInference } from "./inference-plan.js";
export { preprocessImage, type PreprocessedImage } from "./preprocess-image.js";
export { resolveModelUri, type ResolvedModelUri } from "./model-uri.js";
export { DEFAULT_IMAGE_LIMITS } from "./worker-protocol.js";
export type {
  ImageLimits,
  ImageSpec,
  InferenceTask,
  LabelScore,
  ModelSource,
  OutputSpec,
  TaskInput,
  TaskOutput,
  TensorDataType,
  TensorPayload,
  TensorValues,
} from "./worker-protocol.js";
export { readExecutorConfig, startExecutor, type ExecutorComponent, type ExecutorConfig } from "./executor-component.js";
