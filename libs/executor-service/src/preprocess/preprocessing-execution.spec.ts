import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type JsonValue, create, fromJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import {
  AudioPreprocessingSchema,
  DataType,
  FeatureType,
  MissingValue,
  SeriesPreprocessingSchema,
  SeriesRepresentation,
  TabularPreprocessingSchema,
  TextPreprocessingSchema,
} from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import { compileAudioSpec, compileSeriesSpec, compileTabularSpec, compileTextSpec } from "@modelrouter/syntax";
import { type TempModelRoot, type TestExecutor, createTempModelRoot, rejectionOf, startTestExecutor } from "../executor.test-support.js";
import { identityModel } from "../onnx-model.test-support.js";
import { audioFeatures } from "./audio-features.js";
import { type OnnxInit, type PayloadInit, floatsOf, modelRequest } from "./requests.test-support.js";
import { seriesFeatures } from "./series-features.js";
import { tabularFeatures } from "./tabular-features.js";
import { textFeatures } from "./text-features.js";
import { sine, wavBytes } from "./wav-bytes.test-support.js";

const textInit = { charNgramMin: 1, charNgramMax: 3, wordNgramMin: 1, wordNgramMax: 1, buckets: 64, sublinearTf: true, l2Normalize: true };
const tabularInit = {
  features: [
    { name: "mean_radius", type: FeatureType.NUMBER, mean: 14, std: 3.5 },
    { name: "smoker", type: FeatureType.BOOLEAN, missing: MissingValue.ZERO },
    { name: "site", type: FeatureType.CATEGORY, categories: ["left", "right"] },
  ],
};
const audioInit = { sampleRateHz: 8000, durationMs: 250, frameMs: 32, hopMs: 16, melBands: 20 };
const seriesInit = { field: "samples", length: 32, representation: SeriesRepresentation.SPECTRUM, bins: 8 };

const compiled = <S>(result: { spec: S } | { violations: unknown }): S => {
  if (!("spec" in result)) throw new Error(JSON.stringify(result.violations));
  return result.spec;
};
const textSpec = compiled(compileTextSpec(create(TextPreprocessingSchema, textInit)));
const tabularSpec = compiled(compileTabularSpec(create(TabularPreprocessingSchema, tabularInit)));
const audioSpec = compiled(compileAudioSpec(create(AudioPreprocessingSchema, audioInit)));
const seriesSpec = compiled(compileSeriesSpec(create(SeriesPreprocessingSchema, seriesInit)));

const text = (value: typeof textInit = textInit): OnnxInit["preprocessing"] => ({ kind: { case: "text", value } });
const tabular: OnnxInit["preprocessing"] = { kind: { case: "tabular", value: tabularInit } };
const audio: OnnxInit["preprocessing"] = { kind: { case: "audio", value: audioInit } };
const series = (value: Partial<typeof seriesInit> = {}): OnnxInit["preprocessing"] => ({ kind: { case: "series", value: { ...seriesInit, ...value } } });
const json = (value: JsonValue): PayloadInit => ({ kind: { case: "json", value: fromJson(ValueSchema, value) } });
const bytes = (which: "audio" | "binary" | "image", data: Uint8Array): PayloadInit => ({ kind: { case: which, value: { data } } });
const tensor = (shape: number[], floatData: number[]): PayloadInit => ({
  kind: { case: "tensor", value: { dataType: DataType.FLOAT32, shape, floatData } },
});

/**
 * Each pre-processing runs through the whole service into a real identity ONNX model (output = input), so the
 * response is exactly the tensor the worker made: it must be the pre-processing function's own result.
 */
describe("text, tabular, audio and series pre-processing in the executor", () => {
  let root: TempModelRoot;
  let executor: TestExecutor;
  const wav = wavBytes({ channels: [sine(440, 16_000, 4000), sine(1200, 16_000, 4000)], sampleRateHz: 16_000 });

  beforeAll(async () => {
    root = await createTempModelRoot();
    await root.write("flat.onnx", identityModel("float32", [1, "k"]));
    await root.write("mel.onnx", identityModel("float32", [1, 1, "frames", "bands"]));
    await root.write("mel-flat.onnx", identityModel("float32", [1, audioSpec.frames * 20]));
    await root.write("four.onnx", identityModel("float32", [1, 4]));
    await root.write("ints.onnx", identityModel("int64", [1, "k"]));
    executor = await startTestExecutor(root.dir);
  });

  afterAll(async () => {
    await executor?.close();
    await root?.remove();
  });

  const run = async (preprocessing: OnnxInit["preprocessing"], payload: PayloadInit, uri = "flat.onnx") =>
    floatsOf(await executor.client.execute(modelRequest({ uri, preprocessing }, payload)));
  const refusal = (preprocessing: OnnxInit["preprocessing"], payload: PayloadInit, uri = "flat.onnx") =>
    rejectionOf(executor.client.execute(modelRequest({ uri, preprocessing }, payload)));

  describe("text", () => {
    it("feeds the hashed n-grams of payload.text as [1, buckets]", async () => {
      const { shape, values } = await run(text(), { kind: { case: "text", value: "Bonjour tout le monde" } });
      expect(shape).toEqual([1, 64]);
      expect(values).toEqual(textFeatures("Bonjour tout le monde", textSpec));
    });

    it("takes binary data holding UTF-8 text", async () => {
      const { values } = await run(text(), bytes("binary", new TextEncoder().encode("héllo")));
      expect(values).toEqual(textFeatures("héllo", textSpec));
    });

    it("refuses binary data that is not UTF-8, and other kinds of payload, saying what the model takes", async () => {
      for (const payload of [bytes("binary", Uint8Array.of(0xff, 0xfe, 0x00)), bytes("image", Uint8Array.of(1)), json({ a: 1 })]) {
        const error = await refusal(text(), payload);
        expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
        expect(error["reason"]).toBe("PAYLOAD_UNSUPPORTED");
        expect(error.message).toContain("takes text (fed to it as a [1, 64] float32 tensor of hashed n-grams)");
      }
    });
  });

  describe("tabular", () => {
    it("feeds a record's features in the declared order as [1, width]", async () => {
      const row = { site: "right", mean_radius: 17.5, extra: [1, 2] };
      const { shape, values } = await run(tabular, json(row));
      expect(shape).toEqual([1, 4]);
      expect(Array.from(values)).toEqual([1, 0, 0, 1]);
      expect(values).toEqual(tabularFeatures(row, tabularSpec));
    });

    it("takes a list holding one record and refuses a table of several", async () => {
      expect(Array.from((await run(tabular, json([{ mean_radius: 14, smoker: true, site: "left" }]))).values)).toEqual([0, 1, 1, 0]);
      const error = await refusal(tabular, json([{ mean_radius: 1 }, { mean_radius: 2 }]));
      expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
      expect(error["violations"]).toEqual([{ field: "payload.json", description: expect.stringContaining("a list of 2 items") }]);
    });

    it("names a missing or mistyped field", async () => {
      const error = await refusal(tabular, json({ mean_radius: "17.5", site: "left" }));
      expect(error["reason"]).toBe("INVALID_FIELD");
      expect(error["violations"]).toEqual([{ field: "payload.json.mean_radius", description: expect.stringContaining("a JSON number") }]);
    });

    it("takes a JSON document sent as binary data (what the analyzer detects as a record), naming fields in it", async () => {
      const row = { site: "left", mean_radius: 14, smoker: true };
      const { values } = await run(tabular, bytes("binary", new TextEncoder().encode(JSON.stringify(row))));
      expect(values).toEqual(tabularFeatures(row, tabularSpec));
      const error = await refusal(tabular, bytes("binary", new TextEncoder().encode('{"mean_radius": "14", "site": "left"}')));
      expect(error["violations"]).toEqual([{ field: "payload.binary.data.mean_radius", description: expect.stringContaining("a JSON number") }]);
    });

    it("refuses binary data that is not a UTF-8 JSON document, saying what the model takes", async () => {
      const error = await refusal(tabular, bytes("binary", new TextEncoder().encode("mean_radius=14")));
      expect(error["reason"]).toBe("PAYLOAD_UNSUPPORTED");
      expect(error.message).toContain("takes a JSON record (fed to it as a [1, 4] float32 tensor of its features), and the binary data is not a UTF-8 JSON document");
    });

    it("refuses text, saying it takes a JSON record", async () => {
      const error = await refusal(tabular, { kind: { case: "text", value: "mean_radius=3" } });
      expect(error["reason"]).toBe("PAYLOAD_UNSUPPORTED");
      expect(error.message).toContain("takes a JSON record (fed to it as a [1, 4] float32 tensor of its features)");
    });
  });

  describe("audio", () => {
    it("feeds the log-mel energies of payload.audio as [1, 1, frames, mel_bands]", async () => {
      const { shape, values } = await run(audio, bytes("audio", wav), "mel.onnx");
      expect(shape).toEqual([1, 1, audioSpec.frames, 20]);
      expect(values).toEqual(audioFeatures(wav, audioSpec));
    });

    it("takes a WAV file as binary data, and reshapes to a fixed input of the same size", async () => {
      const { shape, values } = await run(audio, bytes("binary", wav), "mel-flat.onnx");
      expect(shape).toEqual([1, audioSpec.frames * 20]);
      expect(values).toEqual(audioFeatures(wav, audioSpec));
    });

    it("names the field of a truncated file", async () => {
      const error = await refusal(audio, bytes("binary", wav.subarray(0, 100)), "mel.onnx");
      expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
      expect(error["violations"]).toEqual([{ field: "payload.binary.data", description: expect.stringContaining("is truncated") }]);
    });
  });

  describe("series", () => {
    const signal = Array.from({ length: 40 }, (_, i) => Math.sin(i / 3) + (i % 5) / 10);

    it("feeds a record's samples field as [1, width]", async () => {
      const { shape, values } = await run(series(), json({ samples: signal, sensor: "a" }));
      expect(shape).toEqual([1, 8]);
      expect(values).toEqual(seriesFeatures(signal, seriesSpec));
    });

    it("takes a record sent as binary JSON, naming its fields there", async () => {
      const { values } = await run(series(), bytes("binary", new TextEncoder().encode(JSON.stringify({ samples: signal }))));
      expect(values).toEqual(seriesFeatures(signal, seriesSpec));
      const error = await refusal(series(), bytes("binary", new TextEncoder().encode('{"samples": [1, null]}')));
      expect(error["violations"]).toEqual([{ field: "payload.binary.data.samples[1]", description: expect.any(String) }]);
    });

    it("takes a one-dimensional tensor when the spec names no field", async () => {
      const { values } = await run(series({ field: "" }), tensor([40], signal));
      expect(values).toEqual(seriesFeatures(signal, seriesSpec));
      const error = await refusal(series({ field: "" }), tensor([2, 20], signal));
      expect(error["violations"]).toEqual([{ field: "payload.tensor.shape", description: expect.stringContaining("one-dimensional") }]);
    });

    it("names a missing samples field and each sample that is not a number", async () => {
      const missing = await refusal(series(), json({ sensor: "a" }));
      expect(missing["violations"]).toEqual([{ field: "payload.json.samples", description: expect.stringContaining("is missing") }]);
      const bad = await refusal(series(), json([{ samples: [1, "x", 3] }]));
      expect(bad["violations"]).toEqual([{ field: "payload.json[0].samples[1]", description: expect.stringContaining('is the string "x"') }]);
    });
  });

  describe("a model that does not fit its pre-processing", () => {
    it("is the model's problem, naming both shapes", async () => {
      const error = await refusal(text(), { kind: { case: "text", value: "hi" } }, "four.onnx");
      expect(error["code"]).toBe(Code.UNAVAILABLE);
      expect(error["reason"]).toBe("MODEL_UNAVAILABLE");
      expect(error.message).toContain('its text pre-processing makes a float32 [1, 64] tensor but its input "x" takes float32 [1, 4]');
      const ints = await refusal(tabular, json({ mean_radius: 1, site: "left" }), "ints.onnx");
      expect(ints.message).toContain("takes int64 [1, k]");
    });
  });

  describe("a bad declaration", () => {
    it("names every bad field of the pre-processing", async () => {
      const error = await refusal(text({ ...textInit, buckets: 0, charNgramMin: 4 }), { kind: { case: "text", value: "hi" } });
      expect(error["code"]).toBe(Code.INVALID_ARGUMENT);
      expect((error["violations"] as { field: string }[]).map((v) => v.field)).toEqual([
        "backend.onnx.preprocessing.text.char_ngram_max",
        "backend.onnx.preprocessing.text.buckets",
      ]);
    });

    it("refuses a pre-processing with no kind set", async () => {
      const error = await refusal({ kind: { case: undefined } }, json({}));
      expect(error["violations"]).toEqual([{ field: "backend.onnx.preprocessing", description: expect.stringContaining("set one kind") }]);
    });
  });
});
