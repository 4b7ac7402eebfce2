import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  ColorMode,
  DecisionRecordSchema,
  Modality,
  ModelSchema,
  PolicySchema,
  TensorLayout,
  type DecisionRecord,
  type Model,
  type OnnxBackend,
  type Policy,
} from "@modelrouter/contracts";

/** The ONNX backend of a model made by {@link validModel} (throws for another backend). */
export function onnxOf(model: Model): OnnxBackend {
  const kind = model.backend?.kind;
  if (kind?.case !== "onnx") throw new Error(`model ${model.name} has no onnx backend`);
  return kind.value;
}

/** A valid image model version: every field that RegisterModel checks, set to something sensible. */
export function validModel(overrides: MessageInitShape<typeof ModelSchema> = {}): Model {
  const model = create(ModelSchema, {
    name: "digits-lowres",
    version: "1",
    description: "Handwritten digits at 8x8",
    task: "digit-classification",
    modality: Modality.IMAGE,
    labels: { domain: "digits", "modelrouter.dev/resolution": "low" },
    backend: {
      kind: {
        case: "onnx",
        value: {
          uri: "digits/lowres.onnx",
          preprocessing: {
            kind: {
              case: "image",
              value: {
                width: 8,
                height: 8,
                colorMode: ColorMode.GRAYSCALE,
                layout: TensorLayout.NCHW,
                mean: [0.5],
                std: [0.25],
              },
            },
          },
          postprocessing: {
            kind: { case: "classification", value: { labels: ["0", "1", "2"], softmax: true, topK: 2 } },
          },
        },
      },
    },
    metrics: { accuracy: 0.97, f1: 0.96, p50LatencyMs: 1.5, evaluationSamples: 2000, dataset: "digits-test" },
  });
  return withOverrides(model, create(ModelSchema, overrides), overrides);
}

/** `count` labels `k0`, `k1`, …, each with `value`. */
export function manyLabels(count: number, value = "v"): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, value]));
}

/** A policy that compiles, routing image requests to `model` (and everything else by default). */
export function validPolicy(name: string, model: string, overrides: MessageInitShape<typeof PolicySchema> = {}): Policy {
  const policy = create(PolicySchema, {
    name,
    description: "routes images",
    priority: 10,
    rules: [
      {
        name: "images",
        when: 'input.modality == "image"',
        route: { targets: [{ kind: { case: "model", value: { name: model } } }] },
      },
    ],
    defaultRoute: { targets: [{ kind: { case: "model", value: { name: model } } }] },
  });
  return withOverrides(policy, create(PolicySchema, overrides), overrides);
}

/** `base` with the fields named in `init` taken from `given` (the message made from `init`). */
function withOverrides<T extends object>(base: T, given: T, init: object): T {
  const target = base as Record<string, unknown>;
  const source = given as Record<string, unknown>;
  for (const key of Object.keys(init)) target[key] = source[key];
  return base;
}

/**
 * A valid decision record: an image request answered by digits-lowres version 1 after a fallback, with top
 * label "7", at `time` (default: now).
 */
export function validDecision(overrides: MessageInitShape<typeof DecisionRecordSchema> = {}): DecisionRecord {
  const record = create(DecisionRecordSchema, {
    requestId: "req-1",
    time: timestampFromMs(Date.now()),
    model: { name: "digits-lowres", version: "1" },
    policy: "digits-routing",
    rule: "images",
    fallbackUsed: true,
    attempted: [
      { name: "digits-general", version: "2" },
      { name: "digits-lowres", version: "1" },
    ],
    code: 0,
    topLabel: "7",
    modality: Modality.IMAGE,
    tenant: "acme",
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  });
  return withOverrides(record, create(DecisionRecordSchema, overrides), overrides);
}
