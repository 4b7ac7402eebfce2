/**
 * The model zoo: ONNX models trained by tools/model-zoo with their model cards (`models/`), the demo
 * catalogue of models and policies (`catalogue/`), and held-out sample images and evaluation sets
 * (`samples/`). Every function reads the package files when called; importing does nothing.
 *
 * @packageDocumentation
 */
export { modelZooDir, catalogueDir, samplesDir } from "./paths.js";
export { loadDemoModels, loadDemoPolicies } from "./catalogue.js";
export { loadSampleIndex, type Sample, type SampleKind } from "./samples.js";
export {
  loadEvaluationSet,
  evaluationImage,
  EVALUATION_SET_NAMES,
  type EvaluationSet,
  type EvaluationSetName,
} from "./evaluation-sets.js";
