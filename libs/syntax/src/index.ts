/**
 * One home for the syntax every modelrouter service checks, so that the policy language, the registry, the
 * analyzer, the executor and the process configuration agree: resource names, model versions, labels,
 * `host:port` addresses, model file locations, tensor and chat payloads and the declared pre-processing of a model
 * (text, tabular, audio, series: checked and resolved alike by the registry and the executor). Pure: no I/O,
 * no clock, no randomness.
 *
 * @packageDocumentation
 */
export { RESOURCE_NAME, MODEL_VERSION, resourceNameProblem, versionProblem } from "./names.js";
export { MAX_LABELS, labelKeyProblem, labelValueProblem } from "./labels.js";
export { MAX_MODEL_URI_LENGTH, modelUriProblem } from "./model-uri.js";
export { parseHostPort, formatHostPort, hostPortProblem, type HostPort } from "./address.js";
export {
  ELEMENT_TYPES,
  checkTensor,
  type CheckedTensor,
  type ElementType,
  type TensorElementType,
  type TensorLimits,
} from "./tensor.js";
export { clip, quoted } from "./text.js";
export { CHAT_ROLES, MAX_CHAT_CONTENT, MAX_CHAT_MESSAGES, checkChat, type ChatRole } from "./chat.js";
export * from "./preprocessing/limits.js";
export { compileTextSpec, type NgramRange, type TextSpec } from "./preprocessing/text-spec.js";
export {
  compileTabularSpec,
  tabularWidth,
  type MissingRule,
  type TabularFeatureSpec,
  type TabularSpec,
} from "./preprocessing/tabular-spec.js";
export { compileAudioSpec, audioFrames, nextPowerOfTwo, type AudioSpec } from "./preprocessing/audio-spec.js";
export { compileSeriesSpec, seriesWidth, SERIES_STATISTICS, type SeriesSpec } from "./preprocessing/series-spec.js";
