import { checkResourceTenant } from "./tenant-field.js";
import {
  ColorMode,
  Modality,
  ModelSchema,
  ModelStatus,
  TensorLayout,
  type ClassificationPostprocessing,
  type ImagePreprocessing,
  type Model,
  type OfflineMetrics,
  type OnnxBackend,
  type Preprocessing,
  type RegressionPostprocessing,
} from "@modelrouter/contracts";
import type { EgressPolicy } from "@modelrouter/egress";
import type { FieldViolation, Violations } from "@modelrouter/errors";
import {
  compileAudioSpec,
  compileSeriesSpec,
  compileTabularSpec,
  compileTextSpec,
  modelUriProblem,
  quoted,
} from "@modelrouter/syntax";
import { ItemReport, checkCount, checkLength } from "./bounds.js";
import { checkEncodedSize } from "./encoded-size.js";
import { checkLabels } from "./labels.js";
import {
  MAX_CLASS_LABELS,
  MAX_CLASS_LABEL_LENGTH,
  MAX_DATASET_LENGTH,
  MAX_DESCRIPTION_LENGTH,
  MAX_MODEL_BYTES,
  MAX_REGRESSION_UNIT_LENGTH,
  MAX_TASK_LENGTH,
  MAX_TENSOR_NAME_LENGTH,
} from "./limits.js";
import { checkName, checkVersion } from "./names.js";
import { checkOipBackend } from "./oip-backend.js";
import { checkOpenAiBackend, checkOpenAiModality } from "./openai-backend.js";

/** The largest preprocessed image side, in pixels. */
export const MAX_IMAGE_SIDE = 4096;

const channelsOf: Readonly<Record<number, number>> = { [ColorMode.GRAYSCALE]: 1, [ColorMode.RGB]: 3 };
const MAX_CHANNELS = 3;

/**
 * Checks a model version for RegisterModel and records every problem under `path` (for example `model`):
 * name and version syntax, modality, backend (an ONNX file by a path relative to the executor's model root,
 * `modelUriProblem`, and a SHA-256 of 64 lower-case hex digits when given; or a remote OIP model server whose
 * endpoint URLs the `egress` policy accepts, `checkOipBackend`; or a chat model behind an OpenAI-compatible API,
 * `checkOpenAiBackend`, whose model's modality must be text), the ONNX and OIP backends' preprocessing (every
 * kind, with the bounds of `@modelrouter/syntax`) and postprocessing (classification, regression) sanity, metric ranges,
 * label syntax and status, and the bounds of `limits.ts` on every text and list and on the whole model's encoded
 * size (output-only fields are neither checked nor counted: clear them first).
 */
export function checkModel(v: Violations, path: string, model: Model, egress: EgressPolicy): void {
  checkName(v, `${path}.name`, model.name, "digits-general", "model");
  checkVersion(v, `${path}.version`, model.version, true);
  checkDescription(v, `${path}.description`, model.description);
  checkTask(v, `${path}.task`, model.task);
  if (model.modality === Modality.UNSPECIFIED || Modality[model.modality] === undefined) {
    v.add(`${path}.modality`, `is required: the modality the model accepts, one of ${enumNames(Modality, "MODALITY_")}`);
  }
  checkLabels(v, `${path}.labels`, model.labels);
  checkResourceTenant(v, `${path}.tenant`, model.tenant);
  const backend = model.backend?.kind;
  if (backend?.case === "onnx") checkOnnxBackend(v, `${path}.backend.onnx`, backend.value);
  else if (backend?.case === "oip") checkOipBackend(v, `${path}.backend.oip`, backend.value, egress);
  else if (backend?.case === "openai") {
    checkOpenAiModality(v, `${path}.modality`, model.modality);
    checkOpenAiBackend(v, `${path}.backend.openai`, backend.value, egress);
  } else {
    v.add(
      `${path}.backend`,
      "is required: set backend.onnx with the uri of the model's .onnx file, backend.oip with its model server's endpoints, or backend.openai with the endpoints of an OpenAI-compatible API",
    );
  }
  if (backend?.case === "onnx" || backend?.case === "oip") checkProcessing(v, `${path}.backend.${backend.case}`, backend.value);
  if (model.metrics !== undefined) checkMetrics(v, `${path}.metrics`, model.metrics);
  if (model.status !== ModelStatus.UNSPECIFIED) checkStatus(v, `${path}.status`, model.status);
  checkModelSize(v, path, model);
}

/**
 * Records at `path` a model larger than {@link MAX_MODEL_BYTES} encoded, naming its largest fields. Pass the
 * model without output-only fields.
 */
export function checkModelSize(v: Violations, path: string, model: Model): void {
  checkEncodedSize(v, path, ModelSchema, model, MAX_MODEL_BYTES, "model version");
}

/** Checks a description's length. */
export function checkDescription(v: Violations, field: string, description: string): void {
  checkLength(v, field, description, MAX_DESCRIPTION_LENGTH);
}

/** Checks a task's length. */
export function checkTask(v: Violations, field: string, task: string): void {
  checkLength(v, field, task, MAX_TASK_LENGTH);
}

/** Checks a status that is given: it must be a known lifecycle status. */
export function checkStatus(v: Violations, field: string, status: ModelStatus): void {
  if (status === ModelStatus.UNSPECIFIED || ModelStatus[status] === undefined) {
    v.add(field, `must be one of ${enumNames(ModelStatus, "MODEL_STATUS_")}`);
  }
}

/**
 * Checks offline metrics: accuracy and F1 are fractions, latency and cost per request are not negative, the
 * dataset name is short.
 */
export function checkMetrics(v: Violations, path: string, metrics: OfflineMetrics): void {
  checkLength(v, `${path}.dataset`, metrics.dataset, MAX_DATASET_LENGTH);
  for (const [name, value] of [["accuracy", metrics.accuracy], ["f1", metrics.f1]] as const) {
    if (!(value >= 0 && value <= 1)) v.add(`${path}.${name}`, `is ${value}: give a fraction between 0 and 1 (0.97, not 97)`);
  }
  if (!(metrics.p50LatencyMs >= 0) || !Number.isFinite(metrics.p50LatencyMs)) {
    v.add(`${path}.p50_latency_ms`, `is ${metrics.p50LatencyMs}: give the median latency in milliseconds, 0 or more`);
  }
  if (!(metrics.costPerRequest >= 0) || !Number.isFinite(metrics.costPerRequest)) {
    v.add(`${path}.cost_per_request`, `is ${metrics.costPerRequest}: give the cost of one request, 0 or more`);
  }
}

function checkOnnxBackend(v: Violations, path: string, onnx: OnnxBackend): void {
  const uriProblem = modelUriProblem(onnx.uri);
  if (uriProblem !== undefined) v.add(`${path}.uri`, uriProblem);
  checkLength(v, `${path}.input_name`, onnx.inputName, MAX_TENSOR_NAME_LENGTH);
  checkLength(v, `${path}.output_name`, onnx.outputName, MAX_TENSOR_NAME_LENGTH);
  if (onnx.sha256 !== "" && !/^[0-9a-f]{64}$/.test(onnx.sha256)) {
    v.add(`${path}.sha256`, "must be 64 lower-case hex digits (the SHA-256 of the file), or empty");
  }
}

/** Checks a backend's pre- and post-processing, the same for every kind of backend. */
function checkProcessing(v: Violations, path: string, backend: Pick<OnnxBackend, "preprocessing" | "postprocessing">): void {
  if (backend.preprocessing !== undefined) checkPreprocessing(v, `${path}.preprocessing`, backend.preprocessing);
  const post = backend.postprocessing;
  if (post !== undefined) {
    if (post.kind.case === "classification") checkClassification(v, `${path}.postprocessing.classification`, post.kind.value);
    else if (post.kind.case === "regression") checkRegression(v, `${path}.postprocessing.regression`, post.kind.value);
    else v.add(`${path}.postprocessing`, "is empty: set classification or regression, or leave postprocessing out for raw tensors");
  }
}

/**
 * Checks a pre-processing of any kind. Text, tabular, audio and series are checked by the same functions of
 * `@modelrouter/syntax` as the executor uses, so that the registry stores exactly what the executor runs.
 */
function checkPreprocessing(v: Violations, path: string, pre: Preprocessing): void {
  const kind = pre.kind;
  const report = (compiled: { readonly violations: readonly FieldViolation[] } | object): void => {
    if ("violations" in compiled) v.addAll(`${path}.${kind.case ?? ""}`, compiled.violations);
  };
  switch (kind.case) {
    case "image":
      checkImagePreprocessing(v, `${path}.image`, kind.value);
      return;
    case "text":
      report(compileTextSpec(kind.value));
      return;
    case "tabular":
      report(compileTabularSpec(kind.value));
      return;
    case "audio":
      report(compileAudioSpec(kind.value));
      return;
    case "series":
      report(compileSeriesSpec(kind.value));
      return;
    default:
      v.add(path, "is empty: set image, text, tabular, audio or series, or leave preprocessing out for tensor payloads");
  }
}

function checkRegression(v: Violations, path: string, post: RegressionPostprocessing): void {
  if (!Number.isFinite(post.scale)) v.add(`${path}.scale`, `is ${post.scale}: give a finite factor (0 means 1)`);
  if (!Number.isFinite(post.offset)) v.add(`${path}.offset`, `is ${post.offset}: give a finite number`);
  checkLength(v, `${path}.unit`, post.unit, MAX_REGRESSION_UNIT_LENGTH);
}

function checkImagePreprocessing(v: Violations, path: string, image: ImagePreprocessing): void {
  for (const [name, value] of [["width", image.width], ["height", image.height]] as const) {
    if (value < 1 || value > MAX_IMAGE_SIDE) v.add(`${path}.${name}`, `is ${value}: give the model's input ${name} in pixels, 1 to ${MAX_IMAGE_SIDE}`);
  }
  const channels = channelsOf[image.colorMode];
  if (channels === undefined) v.add(`${path}.color_mode`, `is required: one of ${enumNames(ColorMode, "COLOR_MODE_")}`);
  if (image.layout === TensorLayout.UNSPECIFIED || TensorLayout[image.layout] === undefined) {
    v.add(`${path}.layout`, `is required: one of ${enumNames(TensorLayout, "TENSOR_LAYOUT_")}`);
  }
  if (!Number.isFinite(image.scale) || image.scale < 0) v.add(`${path}.scale`, `is ${image.scale}: give a factor of 0 or more (0 means 1/255)`);
  for (const [name, values] of [["mean", image.mean], ["std", image.std]] as const) {
    if (channels !== undefined && values.length !== 0 && values.length !== channels) {
      v.add(`${path}.${name}`, `has ${values.length} values: give none, or one per channel (${channels} for this colour mode)`);
    } else if (values.length > MAX_CHANNELS) {
      v.add(`${path}.${name}`, `has ${values.length} values: give none, or one per channel (at most ${MAX_CHANNELS})`);
    }
    values.slice(0, channels ?? MAX_CHANNELS).forEach((value, i) => {
      if (!Number.isFinite(value)) v.add(`${path}.${name}[${i}]`, `is ${value}: give a finite number`);
      else if (name === "std" && value === 0) v.add(`${path}.std[${i}]`, "is 0: a standard deviation divides, so give a non-zero value (1 to leave the channel as it is)");
    });
  }
}

function checkClassification(v: Violations, path: string, post: ClassificationPostprocessing): void {
  const seen = new Map<string, number>();
  const labels = checkCount(v, `${path}.labels`, post.labels, MAX_CLASS_LABELS, "class labels");
  const report = new ItemReport(v, `${path}.labels`);
  labels.forEach((label, i) => {
    const at = `${path}.labels[${i}]`;
    if (label === "") report.add(at, "is empty: give every class a name");
    else if (label.length > MAX_CLASS_LABEL_LENGTH) {
      report.add(at, `is ${label.length} characters long: keep a class label to at most ${MAX_CLASS_LABEL_LENGTH}`);
    }
    const first = seen.get(label);
    if (first !== undefined && label !== "") report.add(at, `${quoted(label)} repeats labels[${first}]: class labels must be unique`);
    else seen.set(label, i);
  });
  report.done();
  if (post.labels.length > 0 && post.topK > post.labels.length) {
    v.add(`${path}.top_k`, `is ${post.topK}, more than the ${post.labels.length} labels: give at most ${post.labels.length}, or 0 for all`);
  }
}

/** The names of an enum's values except UNSPECIFIED, as they appear in JSON, for error messages. */
function enumNames(values: Readonly<Record<string, string | number>>, prefix: string): string {
  return Object.keys(values)
    .filter((key) => Number.isNaN(Number(key)) && key !== "UNSPECIFIED")
    .map((key) => `${prefix}${key}`)
    .join(", ");
}
