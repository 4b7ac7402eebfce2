import { type MessageInitShape, create } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  FeatureType,
  Modality,
  type Model,
  type Postprocessing,
  PostprocessingSchema,
  type Preprocessing,
  PreprocessingSchema,
  SeriesRepresentation,
} from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import { type Backend, type Registry, onnxOf, pgliteBackend, rpcErrorOf, uniqueName, validModel } from "./registry.test-support.js";

/** A valid model whose ONNX backend has the given pre- and post-processing. */
function modelWith(
  preprocessing: Preprocessing | undefined,
  postprocessing: Postprocessing | undefined,
  modality = Modality.TEXT,
): Model {
  const model = validModel({ name: uniqueName(), modality });
  const onnx = onnxOf(model);
  onnx.preprocessing = preprocessing;
  onnx.postprocessing = postprocessing;
  return model;
}

const text = { charNgramMin: 1, charNgramMax: 4, wordNgramMin: 1, wordNgramMax: 2, buckets: 4096, sublinearTf: true, l2Normalize: true };
const tabular = {
  features: [
    { name: "mean_radius", type: FeatureType.NUMBER, mean: 14.1, std: 3.5 },
    { name: "site", type: FeatureType.CATEGORY, categories: ["left", "right"] },
  ],
};
const audio = { sampleRateHz: 16_000, durationMs: 1000, frameMs: 25, hopMs: 10, melBands: 40 };
const series = { field: "samples", length: 256, representation: SeriesRepresentation.SPECTRUM, bins: 64 };

const pre = (kind: NonNullable<MessageInitShape<typeof PreprocessingSchema>["kind"]>): Preprocessing => create(PreprocessingSchema, { kind });
const post = (kind: NonNullable<MessageInitShape<typeof PostprocessingSchema>["kind"]>): Postprocessing => create(PostprocessingSchema, { kind });

/**
 * RegisterModel checks text, tabular, audio and series pre-processing with the executor's own rules
 * (`@modelrouter/syntax`), and regression post-processing, naming each bad field.
 */
describe("RegisterModel with text, tabular, audio and series models", () => {
  let backend: Backend;
  let registry: Registry;

  beforeAll(async () => {
    backend = await pgliteBackend();
    registry = await backend.open();
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  const fieldsOf = async (model: Model): Promise<string[]> => {
    const error = await rpcErrorOf(registry.client.registerModel({ model }));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    for (const violation of error.violations) expect(violation.description.length).toBeGreaterThan(10);
    return error.violations.map((v) => v.field);
  };

  it("stores a model of each kind as given", async () => {
    const models = [
      modelWith(pre({ case: "text", value: text }), post({ case: "classification", value: { labels: ["en", "fr"], softmax: true } })),
      modelWith(pre({ case: "tabular", value: tabular }), post({ case: "regression", value: { scale: 2.5, offset: 10, unit: "mmol/L" } }), Modality.TABULAR),
      modelWith(pre({ case: "audio", value: audio }), post({ case: "classification", value: { labels: ["speech", "noise"] } }), Modality.AUDIO),
      modelWith(pre({ case: "series", value: series }), post({ case: "classification", value: { labels: ["ok", "faulty"] } }), Modality.TABULAR),
    ];
    for (const model of models) {
      const stored = (await registry.client.registerModel({ model })).model!;
      expect(stored.backend).toEqual(model.backend);
    }
  });

  it("names every bad field of text and tabular pre-processing", async () => {
    expect(await fieldsOf(modelWith(pre({ case: "text", value: { ...text, buckets: 0, wordNgramMin: 3 } }), undefined))).toEqual([
      "model.backend.onnx.preprocessing.text.word_ngram_max",
      "model.backend.onnx.preprocessing.text.buckets",
    ]);
    const twice = {
      features: [
        { name: "a", type: FeatureType.NUMBER },
        { name: "a", type: FeatureType.BOOLEAN },
        { name: "c", type: FeatureType.CATEGORY },
        { name: "d", type: FeatureType.NUMBER, std: -1 },
      ],
    };
    expect(await fieldsOf(modelWith(pre({ case: "tabular", value: twice }), undefined, Modality.TABULAR))).toEqual([
      "model.backend.onnx.preprocessing.tabular.features[1].name",
      "model.backend.onnx.preprocessing.tabular.features[2].categories",
      "model.backend.onnx.preprocessing.tabular.features[3].std",
    ]);
  });

  it("names every bad field of audio and series pre-processing", async () => {
    expect(await fieldsOf(modelWith(pre({ case: "audio", value: { ...audio, frameMs: 2000, melBands: 0 } }), undefined, Modality.AUDIO))).toEqual([
      "model.backend.onnx.preprocessing.audio.frame_ms",
      "model.backend.onnx.preprocessing.audio.mel_bands",
    ]);
    const error = await rpcErrorOf(registry.client.registerModel({ model: modelWith(pre({ case: "series", value: { ...series, bins: 200 } }), undefined) }));
    expect(error.violations).toEqual([
      { field: "model.backend.onnx.preprocessing.series.bins", description: expect.stringContaining("must be 1 to 129 (length / 2 + 1") },
    ]);
  });

  it("names a bad regression and an empty pre- or post-processing", async () => {
    const bad = modelWith(pre({ case: "text", value: text }), post({ case: "regression", value: { scale: Number.NaN, unit: "u".repeat(65) } }));
    expect(await fieldsOf(bad)).toEqual([
      "model.backend.onnx.postprocessing.regression.scale",
      "model.backend.onnx.postprocessing.regression.unit",
    ]);
    const empty = modelWith(pre({ case: undefined }), post({ case: undefined }));
    expect(await fieldsOf(empty)).toEqual(["model.backend.onnx.preprocessing", "model.backend.onnx.postprocessing"]);
  });
});
