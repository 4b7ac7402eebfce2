import { create } from "@bufbuild/protobuf";
import { ModelSchema, ModelStatus, type Model } from "@modelrouter/contracts";
import type { FamilyResult } from "./family-result.js";

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** The `modelrouter.registry.v1.Model` (version "1") that registers a built family model. */
export function familyCatalogueModel(result: FamilyResult): Model {
  const { spec, data, evaluation } = result;
  const binary = spec.output === "binary-logit";
  return create(ModelSchema, {
    name: spec.name,
    version: "1",
    description: spec.description,
    task: spec.task,
    modality: spec.modality,
    labels: { ...spec.labels },
    backend: {
      kind: {
        case: "onnx",
        value: {
          uri: `${spec.name}/model.onnx`,
          inputName: "input",
          outputName: "logits",
          sha256: result.sha256,
          preprocessing: result.preprocessing,
          postprocessing: {
            kind: {
              case: "classification",
              value: { labels: [...data.classes], softmax: !binary, topK: Math.min(3, data.classes.length) },
            },
          },
        },
      },
    },
    metrics: {
      accuracy: round(evaluation.metrics.accuracy, 4),
      f1: round(evaluation.metrics.macroF1, 4),
      p50LatencyMs: round(result.latency.p50Ms, 4),
      evaluationSamples: evaluation.metrics.samples,
      dataset: spec.evaluationSet,
    },
    status: ModelStatus.ACTIVE,
  });
}
