/**
 * The model zoo: ONNX models trained by tools/model-zoo with their model cards (`models/`), the demo
 * catalogue of models and policies (`catalogue/`), and held-out samples and evaluation sets (`samples/`):
 * images for the digit models, texts, JSON records and WAV clips for the others. Every function reads the package files when called; importing does nothing.
 *
 * @packageDocumentation
 */
export { modelZooDir, catalogueDir, samplesDir } from "./paths.js";
export { loadDemoModels, loadDemoPolicies } from "./catalogue.js";
export {
  loadSampleIndex,
  loadPayloadSamples,
  type Sample,
  type SampleKind,
  type PayloadSample,
  type PayloadSampleKind,
} from "./samples.js";
export {
  loadEvaluationSet,
  evaluationImage,
  EVALUATION_SET_NAMES,
  type EvaluationSet,
  type EvaluationSetName,
} from "./evaluation-sets.js";
export {
  loadPayloadEvaluationSet,
  PAYLOAD_EVALUATION_SET_NAMES,
  type PayloadEvaluationSet,
  type PayloadEvaluationSetName,
  type EvaluationPayload,
} from "./payload-evaluation-sets.js";
