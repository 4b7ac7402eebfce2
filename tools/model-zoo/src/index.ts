/**
 * The model-zoo builder: a small, seeded neural-network trainer in plain TypeScript (dense, conv2d, max-pool,
 * ReLU, softmax cross-entropy, Adam), an ONNX writer, and the pipeline that trains, verifies, evaluates and
 * writes the zoo into libs/model-zoo: the digit image models and the text, tabular, sensor and audio families.
 * Model inputs are made by the executor's own pre-processing (`preprocessImage`, `textFeatures`,
 * `tabularFeatures`, `seriesFeatures`, `audioFeatures` from @modelrouter/executor-service). `main.ts` runs the
 * pipeline (`--only` selects parts).
 *
 * @packageDocumentation
 */
export { buildModelZoo, ZOO_PARTS, type ZooPart, type BuildOptions, type BuildReport } from "./zoo/build.js";
export { parseBuilderArgs, type BuilderArgs } from "./zoo/parse-args.js";
export { buildFamilies, FAMILY_MODELS, type FamilyBuildOptions } from "./families/build-families.js";
export { FAMILIES, type Family, type FamilyModelSpec, type FamilyTraining, type FamilyDataset } from "./families/family-spec.js";
export type { FamilyResult } from "./families/family-result.js";
export { featurizerFor, type Featurizer } from "./families/featurizer.js";
export type { Payload, LabelledPayload, PayloadDataset } from "./data/payload.js";
export { encodeWav16 } from "./audio/wav.js";
export {
  ZOO_MODELS,
  SPLIT_SEEDS,
  TEST_SIZES,
  DIGIT_LABELS,
  type ZooModelSpec,
  type TrainingSpec,
  type DegradationSpec,
  type DatasetKind,
} from "./zoo/model-specs.js";
export type { ModelResult, EvaluationResult, MakeReport, BuildEnvironment } from "./zoo/results.js";
export { createRng, type Rng } from "./rng.js";
export { tensor, sizeOf, argmax, type Tensor } from "./tensor.js";
export { createNetwork, parameterCount, type Network, type Layer } from "./layers/network.js";
export { createDense, type DenseLayer, type DenseOptions } from "./layers/dense.js";
export { createConv2d, type Conv2dLayer, type Conv2dOptions } from "./layers/conv2d.js";
export { createMaxPool2d, type MaxPool2dLayer } from "./layers/max-pool2d.js";
export { createRelu, type ReluLayer } from "./layers/relu.js";
export { createFlatten, type FlattenLayer } from "./layers/flatten.js";
export type { Param } from "./layers/layer.js";
export { softmaxCrossEntropy, type LossResult } from "./loss/softmax-cross-entropy.js";
export { createAdam, type AdamOptions, type Optimizer } from "./optim/adam.js";
export { train, predictLogits, type FeatureSet, type TrainOptions, type TrainReport, type EpochReport } from "./train/trainer.js";
export { encodeOnnxModel } from "./onnx/encode-onnx.js";
export { networkToOnnx, OPSET_VERSION, IR_VERSION, type ExportOptions } from "./onnx/export-network.js";
export type { OnnxModel, OnnxGraph, OnnxNode, OnnxTensor, OnnxValueInfo, OnnxAttribute } from "./onnx/onnx-model.js";
export { encodeGrayPng } from "./image/png.js";
export { imageFeatures } from "./data/features.js";
export { classificationMetrics, predictions, type ClassificationMetrics } from "./eval/metrics.js";
export { openOnnxModel, measureLatency, type OnnxRunner, type Latency } from "./eval/onnx-runner.js";
