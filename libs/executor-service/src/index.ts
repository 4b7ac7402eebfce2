/**
 * The executor service: runs ONNX model versions on payloads in a pool of worker threads (one ONNX Runtime
 * session set per thread, so the event loop never blocks), with pre-processing (image, text, tabular, audio,
 * series) and post-processing (classification, binary, regression) done in the workers, bounded per-model queues
 * with load shedding and a retry hint, deadlines checked before work starts, cancellation, dynamic batching for
 * models with a batch axis, and per-model statistics for load-aware routing.
 *
 * A process reads {@link readExecutorConfig} once and {@link startExecutor} returns the component to serve (or
 * to call in-process); given a registry client, the component follows the registry's models (preloads the
 * ACTIVE ones as they are registered, unloads the deregistered ones). Chat models on OpenAI-compatible servers
 * (`backend.openai`: vLLM, Ollama, OpenAI, …) are run by {@link createChatModels}, streamed by ExecuteStream. {@link preprocessImage} is the image pre-processing spec itself, and the `*Features`
 * functions (with the `compile*Spec` checks of `@modelrouter/syntax`, re-exported) the text, tabular, audio and
 * series pre-processing: shared with the model-zoo trainer, so that a model is trained on exactly what it is
 * served. What other projects' tests need is in `@modelrouter/executor-service/testing`. The executor also serves
 * its models over the Open Inference Protocol v2 ({@link startOipServing}: `inference.GRPCInferenceService` with
 * {@link createOipGrpcService}, REST with {@link startOipHttpServer}, both on one {@link createOipEndpoint}).
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
export {
  FAULTS_SETTING,
  MAX_FAULT_DELAY_MS,
  describeFaults,
  parseFaults,
  withFaults,
  type FaultOptions,
  type FaultParse,
  type FaultRule,
} from "./fault-injection.js";
export { type EndpointAccess, egressEndpointAccess } from "./oip-client/endpoint-access.js";
export { createRemoteModels, MAX_ENDPOINTS, type RemoteModels, type RemoteModelsOptions, type RemoteResult } from "./oip-client/remote-models.js";
export { codeOfHttpStatus } from "./oip-client/oip-errors.js";
export { createChatModels, type ChatModels, type ChatModelsOptions, type ChatResult } from "./openai-client/chat-models.js";
export type { ChatAnswer, TokenCounts } from "./openai-client/openai-wire.js";
export { SseParser, type SseEvent } from "./openai-client/sse-parser.js";
export {
  OIP_EXTENSIONS,
  OIP_PLATFORM,
  createOipEndpoint,
  type OipCall,
  type OipEndpoint,
  type OipEndpointOptions,
  type OipInferRequest,
  type OipInferResult,
  type OipModelMetadata,
  type OipServerMetadata,
} from "./oip-server/oip-endpoint.js";
export { createOipGrpcService, type OipGrpcServiceOptions } from "./oip-server/oip-grpc-service.js";
export { startOipHttpServer, type OipHttpServer, type OipHttpServerOptions } from "./oip-server/oip-http-server.js";
export { OipModelCatalogue, type OipModels, type ServedVersion } from "./oip-server/oip-models.js";
export { createSignatureReader, type ModelSignature, type SignatureReader, type TensorSignature } from "./oip-server/model-signature.js";
export { startOipServing, type OipComponent, type OipServingOptions } from "./oip-server/oip-component.js";
export type { OipTensor } from "./oip-server/oip-tensor.js";
