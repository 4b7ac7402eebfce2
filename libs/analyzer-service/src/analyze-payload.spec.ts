import { create, fromJson, toJsonString } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { beforeAll, describe, expect, it } from "@jest/globals";
import { DataType, Modality, PayloadSchema } from "@modelrouter/contracts";
import { analyzePayload } from "./analyze-payload.js";
import { jsonPayload, mediaPayload, tensorPayload, textPayload, violationsOf } from "./testing/analyze.test-support.js";
import {
  ascii,
  concat,
  jpegBytes,
  pngBytes,
  utf8,
  wavBytes,
} from "./testing/fixtures.test-support.js";
import { type LanguageDetector, createLanguageDetector } from "./text/language-detector.js";

let languageDetector: LanguageDetector;
beforeAll(async () => {
  languageDetector = await createLanguageDetector();
});

const analyze = (payload: Parameters<typeof analyzePayload>[0], metadata: Record<string, string> = {}) =>
  analyzePayload(payload, metadata, { languageDetector });

describe("AnalyzePayload", () => {
  describe("a missing payload", () => {
    it("is rejected, naming `payload` and the kinds to choose from", () => {
      const expected = [{ field: "payload", description: "is required: set exactly one of text, image, audio, json, tensor, binary, chat" }];
      expect(violationsOf(() => analyze(undefined))).toEqual(expected);
      expect(violationsOf(() => analyze(create(PayloadSchema)))).toEqual(expected);
    });
  });

  describe("images", () => {
    it("profiles a PNG's size, channels and bit depth, with its MIME type and byte size", () => {
      const bytes = pngBytes({ width: 64, height: 48, colorType: 2 });
      const profile = analyze(mediaPayload("image", bytes, "image/png"));
      expect(profile.modality).toBe(Modality.IMAGE);
      expect(profile.mimeType).toBe("image/png");
      expect(profile.declaredMimeType).toBe("image/png");
      expect(profile.sizeBytes).toBe(bytes.length);
      expect(profile.image).toMatchObject({ format: "png", width: 64, height: 48, channels: 3, bitDepth: 8 });
      expect(profile.warnings).toEqual([]);
      expect(profile.audio ?? profile.text ?? profile.tabular ?? profile.tensor).toBeUndefined();
    });

    it("profiles a JPEG image", () => {
      const profile = analyze(mediaPayload("image", jpegBytes({ width: 20, height: 10 })));
      expect(profile).toMatchObject({ modality: Modality.IMAGE, mimeType: "image/jpeg", image: { format: "jpeg", width: 20, height: 10 } });
    });

    it("follows the bytes, not the declared MIME type, and warns about the difference", () => {
      const profile = analyze(mediaPayload("image", pngBytes({ width: 2, height: 2 }), "image/jpeg"));
      expect(profile.mimeType).toBe("image/png");
      expect(profile.declaredMimeType).toBe("image/jpeg");
      expect(profile.warnings).toEqual(["payload.image: declared image/jpeg but the bytes are PNG"]);
    });

    it("accepts MIME aliases and parameters without a warning", () => {
      const profile = analyze(mediaPayload("image", jpegBytes({ width: 2, height: 2 }), "Image/JPG; q=0.9"));
      expect(profile.warnings).toEqual([]);
    });

    it("profiles WAV bytes sent as an image as audio, with a warning", () => {
      const profile = analyze(mediaPayload("image", wavBytes({ frames: 1600 }), "image/png"));
      expect(profile.modality).toBe(Modality.AUDIO);
      expect(profile.audio).toMatchObject({ format: "wav", durationSeconds: 0.1 });
      expect(profile.warnings).toEqual([
        "payload.image: the bytes are WAV audio, not image; profiled as audio",
        "payload.image: declared image/png but the bytes are WAV audio",
      ]);
    });

    it("rejects image bytes that are no image, saying which formats are recognised and how the bytes start", () => {
      expect(violationsOf(() => analyze(mediaPayload("image", utf8("Hello, world"))))).toEqual([
        { field: "payload.image.data", description: "is not a PNG or JPEG image; first bytes are 48 65 6c 6c 6f 2c 20 77 …" },
      ]);
    });

    it("rejects a truncated or corrupt image, naming the format and what is wrong", () => {
      const png = pngBytes({ width: 8, height: 8 });
      expect(violationsOf(() => analyze(mediaPayload("image", png.subarray(0, 20))))).toEqual([
        {
          field: "payload.image.data",
          description: "starts like a PNG but is truncated: the PNG signature and IHDR chunk needs 33 bytes, got 20",
        },
      ]);
      const jpeg = jpegBytes({ width: 8, height: 8 });
      expect(violationsOf(() => analyze(mediaPayload("image", jpeg.subarray(0, 30))))[0]).toMatchObject({
        field: "payload.image.data",
        description: expect.stringMatching(/^starts like a JPEG but is truncated/),
      });
    });

    it("rejects empty image data", () => {
      expect(violationsOf(() => analyze(mediaPayload("image", new Uint8Array(0))))).toEqual([
        { field: "payload.image.data", description: "is empty: send the bytes of the encoded image (PNG or JPEG)" },
      ]);
    });
  });

  describe("audio", () => {
    it("profiles a WAV's sample rate, channels, bits and duration", () => {
      const bytes = wavBytes({ sampleRateHz: 44_100, channels: 2, bitsPerSample: 16, frames: 88_200 });
      const profile = analyze(mediaPayload("audio", bytes, "audio/x-wav"));
      expect(profile).toMatchObject({
        modality: Modality.AUDIO,
        mimeType: "audio/wav",
        declaredMimeType: "audio/x-wav",
        sizeBytes: bytes.length,
        audio: { format: "wav", sampleRateHz: 44_100, channels: 2, bitsPerSample: 16, durationSeconds: 2 },
        warnings: [],
      });
    });

    it("profiles an image sent as audio as an image, with a warning", () => {
      const profile = analyze(mediaPayload("audio", pngBytes({ width: 3, height: 3 })));
      expect(profile.modality).toBe(Modality.IMAGE);
      expect(profile.warnings).toEqual(["payload.audio: the bytes are PNG, not audio; profiled as image"]);
    });

    it("rejects audio bytes that are not WAV, and a corrupt WAV", () => {
      expect(violationsOf(() => analyze(mediaPayload("audio", ascii("ID3\x04\x00"))))).toEqual([
        { field: "payload.audio.data", description: "is not WAV audio (RIFF/WAVE); first bytes are 49 44 33 04 00" },
      ]);
      const wav = wavBytes({ frames: 10 });
      expect(violationsOf(() => analyze(mediaPayload("audio", wav.subarray(0, wav.length - 3))))).toEqual([
        { field: "payload.audio.data", description: "starts like a WAV but is truncated: the data chunk declares 20 bytes but 17 follow" },
      ]);
    });
  });

  describe("chat conversations", () => {
    const chat = (messages: { role: string; content: string }[]) => create(PayloadSchema, { kind: { case: "chat", value: { messages } } });

    it("profiles a conversation as text: the counts of every message together, the language of the last", () => {
      const payload = chat([
        { role: "system", content: "Réponds brièvement." },
        { role: "user", content: "Where is the train station, please?" },
      ]);
      const profile = analyze(payload);
      expect(profile.modality).toBe(Modality.TEXT);
      expect(profile.mimeType).toBe("application/vnd.modelrouter.chat+json");
      expect(profile.text).toMatchObject({ wordCount: 8, language: "en" });
      expect(profile.sizeBytes).toBe(utf8("Réponds brièvement.\nWhere is the train station, please?").length);
    });

    it("refuses a conversation with problems, naming each message's field", () => {
      expect(violationsOf(() => analyze(chat([{ role: "robot", content: "" }])))).toEqual([
        { field: "payload.chat.messages[0].role", description: 'is "robot": use one of "system", "user", "assistant"' },
        { field: "payload.chat.messages[0].content", description: "is empty: send the message's text" },
      ]);
    });
  });

  describe("text", () => {
    it("profiles length in code points, words, UTF-8 size and language", () => {
      const text = "Der schnelle braune Fuchs springt über den faulen Hund. 🦊";
      const profile = analyze(textPayload(text));
      expect(profile.modality).toBe(Modality.TEXT);
      expect(profile.mimeType).toBe("text/plain");
      expect(profile.sizeBytes).toBe(utf8(text).length);
      expect(profile.text).toMatchObject({ length: [...text].length, wordCount: 10, language: "de" });
      expect(profile.text?.languageConfidence).toBeGreaterThan(0.5);
    });

    it("tells English from Spanish", () => {
      expect(analyze(textPayload("Where is the train station, please?")).text?.language).toBe("en");
      expect(analyze(textPayload("¿Dónde está la estación de tren, por favor?")).text?.language).toBe("es");
    });

    it("reports no language, with confidence 0, when it cannot be told", () => {
      expect(analyze(textPayload("12345 67890")).text).toMatchObject({ language: "", languageConfidence: 0, wordCount: 2 });
    });

    it("profiles text that is a JSON list of objects as tabular, with a warning", () => {
      const profile = analyze(textPayload(' [{"age": 30}, {"age": 40}] '));
      expect(profile.modality).toBe(Modality.TABULAR);
      expect(profile.tabular?.rowCount).toBe(2);
      expect(profile.warnings).toEqual(["payload.text: the text is JSON (an object or a list of objects); profiled as tabular"]);
    });

    it("keeps JSON that is not a table, and text that only looks like JSON, as text", () => {
      expect(analyze(textPayload("[1, 2, 3]")).modality).toBe(Modality.TEXT);
      expect(analyze(textPayload("{not json}")).modality).toBe(Modality.TEXT);
    });

    it("rejects empty text", () => {
      expect(violationsOf(() => analyze(textPayload("")))).toEqual([
        { field: "payload.text", description: "is empty: send at least one character" },
      ]);
    });
  });

  describe("JSON values", () => {
    it("profiles an object as one row", () => {
      const profile = analyze(jsonPayload({ age: 42, name: "Ada", member: true, tags: ["a"], address: { city: "X" }, note: null }));
      expect(profile.modality).toBe(Modality.TABULAR);
      expect(profile.mimeType).toBe("application/json");
      expect(profile.tabular?.rowCount).toBe(1);
      const types = Object.fromEntries(Object.entries(profile.tabular?.fields ?? {}).map(([k, f]) => [k, [f.type, f.presentCount]]));
      expect(types).toEqual({
        age: ["number", 1],
        name: ["string", 1],
        member: ["bool", 1],
        tags: ["array", 1],
        address: ["object", 1],
        note: ["null", 0],
      });
    });

    it("profiles a list of objects as rows, with per-field presence, types and number statistics", () => {
      const rows = [{ x: 1, y: "a" }, { x: 5, y: 2 }, { x: -3 }, { x: null, z: true }];
      const profile = analyze(jsonPayload(rows));
      expect(profile.tabular?.rowCount).toBe(4);
      expect(profile.tabular?.fields["x"]).toMatchObject({ type: "number", presentCount: 3, min: -3, max: 5, mean: 1 });
      expect(profile.tabular?.fields["y"]).toMatchObject({ type: "mixed", presentCount: 2, min: 0, max: 0, mean: 0 });
      expect(profile.tabular?.fields["z"]).toMatchObject({ type: "bool", presentCount: 1 });
    });

    it("measures the size as the compact JSON text would be", () => {
      const value = fromJson(ValueSchema, [{ "näme": "\"q\"\n", n: 1.5e-7, list: [true, null, "😀"] }, {}]);
      const payload = create(PayloadSchema, { kind: { case: "json", value } });
      expect(analyze(payload).sizeBytes).toBe(utf8(toJsonString(ValueSchema, value)).length);
    });

    it("rejects a value that is not an object or a list of objects, naming each bad row", () => {
      expect(violationsOf(() => analyze(jsonPayload("hello")))).toEqual([
        { field: "payload.json", description: "must be an object (one row) or a list of objects (rows), not a string" },
      ]);
      expect(violationsOf(() => analyze(jsonPayload([{ a: 1 }, 2, [3], null])))).toEqual([
        { field: "payload.json[1]", description: "must be an object (a row of named fields), not a number" },
        { field: "payload.json[2]", description: "must be an object (a row of named fields), not a list" },
        { field: "payload.json[3]", description: "must be an object (a row of named fields), not null" },
      ]);
    });

    it("lists at most 20 bad rows and summarises the rest", () => {
      const violations = violationsOf(() => analyze(jsonPayload(Array.from({ length: 25 }, (_, i) => i))));
      expect(violations).toHaveLength(21);
      expect(violations[20]).toEqual({ field: "payload.json", description: "5 more rows are not objects (only the first 20 are listed)" });
    });

    it("rejects non-finite numbers, which JSON cannot carry, naming the row and field", () => {
      const nan = create(ValueSchema, { kind: { case: "numberValue", value: Number.NaN } });
      const row = create(ValueSchema, { kind: { case: "structValue", value: { fields: { "b c": nan } } } });
      const list = create(ValueSchema, { kind: { case: "listValue", value: { values: [fromJson(ValueSchema, { a: 1 }), row] } } });
      expect(violationsOf(() => analyze(create(PayloadSchema, { kind: { case: "json", value: list } })))).toEqual([
        { field: 'payload.json[1]["b c"]', description: "is NaN; JSON numbers must be finite" },
      ]);
    });

    it("rejects more than 10,000 rows or 1,000 distinct fields, naming the limit", () => {
      expect(violationsOf(() => analyze(jsonPayload(Array.from({ length: 10_001 }, () => ({})))))).toEqual([
        { field: "payload.json", description: "has 10001 rows; at most 10000 can be analysed: split the request" },
      ]);
      const wide = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`f${i}`, i]));
      expect(violationsOf(() => analyze(jsonPayload(wide)))).toEqual([
        { field: "payload.json", description: "has more than 1000 distinct field names; at most 1000 can be analysed" },
      ]);
    });

    it("accepts exactly 10,000 rows and 1,000 fields", () => {
      expect(analyze(jsonPayload(Array.from({ length: 10_000 }, (_, i) => ({ i })))).tabular?.rowCount).toBe(10_000);
      const wide = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`f${i}`, i]));
      expect(Object.keys(analyze(jsonPayload(wide)).tabular?.fields ?? {})).toHaveLength(1000);
    });
  });

  describe("tensors", () => {
    it("profiles data type, shape and element count of raw, float and int data", () => {
      const raw = analyze(tensorPayload({ dataType: DataType.FLOAT32, shape: [1, 3, 2], rawData: new Uint8Array(24) }));
      expect(raw).toMatchObject({
        modality: Modality.TENSOR,
        mimeType: "application/x-tensor",
        sizeBytes: 24,
        tensor: { dataType: DataType.FLOAT32, shape: [1, 3, 2], elementCount: 6 },
      });
      const floats = analyze(tensorPayload({ dataType: DataType.FLOAT64, shape: [2], floatData: [0.5, 1] }));
      expect(floats).toMatchObject({ sizeBytes: 16, tensor: { elementCount: 2 } });
      const bools = analyze(tensorPayload({ dataType: DataType.BOOL, shape: [3], intData: [0n, 1n, 1n] }));
      expect(bools).toMatchObject({ sizeBytes: 3, tensor: { dataType: DataType.BOOL, elementCount: 3 } });
    });

    it("reports every problem of a tensor at once, each under its own path", () => {
      expect(violationsOf(() => analyze(tensorPayload({ shape: [2, 0, 1.5] })))).toEqual([
        { field: "payload.tensor.data_type", description: "is required: set FLOAT32, FLOAT64, INT32, INT64, UINT8 or BOOL" },
        { field: "payload.tensor.shape[1]", description: "is 0; every dimension must be a whole number of at least 1" },
        { field: "payload.tensor.shape[2]", description: "is 1.5; every dimension must be a whole number of at least 1" },
        { field: "payload.tensor.float_data", description: "has no data: set exactly one of float_data, int_data or raw_data" },
      ]);
    });

    it("requires exactly one data field, of the kind the data type uses, with one element per shape position", () => {
      expect(violationsOf(() => analyze(tensorPayload({ dataType: DataType.INT32, shape: [2], intData: [1n, 2n], rawData: new Uint8Array(8) })))).toEqual([
        { field: "payload.tensor.raw_data", description: "is set with int_data: set exactly one of float_data, int_data or raw_data" },
      ]);
      expect(violationsOf(() => analyze(tensorPayload({ dataType: DataType.INT32, shape: [2], floatData: [1, 2] })))).toEqual([
        { field: "payload.tensor.float_data", description: "cannot hold INT32 elements: use int_data or raw_data" },
      ]);
      expect(violationsOf(() => analyze(tensorPayload({ dataType: DataType.FLOAT32, shape: [2, 3], floatData: [1, 2] })))).toEqual([
        { field: "payload.tensor.float_data", description: "has 2 elements but shape [2, 3] needs 6" },
      ]);
      expect(violationsOf(() => analyze(tensorPayload({ dataType: DataType.FLOAT32, shape: [2, 3], rawData: new Uint8Array(23) })))).toEqual([
        { field: "payload.tensor.raw_data", description: "has 23 bytes but shape [2, 3] of FLOAT32 needs 24 (6 × 4)" },
      ]);
    });

    it("checks int_data against the data type's range", () => {
      expect(violationsOf(() => analyze(tensorPayload({ dataType: DataType.UINT8, shape: [3], intData: [0n, 256n, -1n] })))).toEqual([
        { field: "payload.tensor.int_data[1]", description: "is 256, outside UINT8's range 0..255" },
      ]);
    });

    it("rejects an empty shape, too many dimensions and too many elements", () => {
      expect(violationsOf(() => analyze(tensorPayload({ dataType: DataType.UINT8, rawData: new Uint8Array(1) })))).toEqual([
        { field: "payload.tensor.shape", description: "is empty: give at least one dimension, for example [1, 784]" },
      ]);
      expect(violationsOf(() => analyze(tensorPayload({ dataType: DataType.UINT8, shape: new Array(33).fill(1), rawData: new Uint8Array(1) })))).toEqual([
        { field: "payload.tensor.shape", description: "has 33 dimensions; at most 32 are allowed" },
      ]);
      expect(violationsOf(() => analyze(tensorPayload({ dataType: DataType.UINT8, shape: [65536, 65536], rawData: new Uint8Array(1) })))).toEqual([
        { field: "payload.tensor.shape", description: "describes 4294967296 elements; at most 4294967295 are allowed" },
      ]);
    });
  });

  describe("binary payloads", () => {
    it.each([
      ["a PNG", pngBytes({ width: 5, height: 4 }), Modality.IMAGE, "image/png"],
      ["a JPEG", jpegBytes({ width: 5, height: 4 }), Modality.IMAGE, "image/jpeg"],
      ["a WAV", wavBytes({ frames: 16 }), Modality.AUDIO, "audio/wav"],
      ["a JSON object", utf8('{"a": 1}'), Modality.TABULAR, "application/json"],
      ["a JSON list of objects with a BOM", concat([0xef, 0xbb, 0xbf], utf8('[{"a": 1}]')), Modality.TABULAR, "application/json"],
      ["UTF-8 text", utf8("Bonjour tout le monde, comment allez-vous aujourd'hui ?"), Modality.TEXT, "text/plain"],
      ["a JSON number", utf8("42"), Modality.TEXT, "text/plain"],
      ["invalid UTF-8", Uint8Array.of(0x66, 0x6f, 0xff, 0x6f), Modality.BINARY, "application/octet-stream"],
      ["UTF-8 with NUL bytes", utf8("abc\0def"), Modality.BINARY, "application/octet-stream"],
      ["a gzip stream", Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0x00), Modality.BINARY, "application/octet-stream"],
    ])("detects %s by its bytes", (_label, bytes, modality, mimeType) => {
      const profile = analyze(mediaPayload("binary", bytes));
      expect(profile.modality).toBe(modality);
      expect(profile.mimeType).toBe(mimeType);
      expect(profile.sizeBytes).toBe(bytes.length);
      expect(profile.warnings).toEqual([]);
    });

    it("profiles the text it finds, language included", () => {
      const profile = analyze(mediaPayload("binary", utf8("Bonjour tout le monde, comment allez-vous aujourd'hui ?")));
      expect(profile.text).toMatchObject({ length: 55, wordCount: 8, language: "fr" });
    });

    it("warns when the declared MIME type contradicts the bytes, and not when it is generic or agrees", () => {
      expect(analyze(mediaPayload("binary", jpegBytes({ width: 2, height: 2 }), "image/png")).warnings).toEqual([
        "payload.binary: declared image/png but the bytes are JPEG",
      ]);
      expect(analyze(mediaPayload("binary", Uint8Array.of(0, 1, 2), "image/png")).warnings).toEqual([
        "payload.binary: declared image/png but the bytes are not a recognised format",
      ]);
      expect(analyze(mediaPayload("binary", utf8("plain words"), "text/csv")).warnings).toEqual([]);
      expect(analyze(mediaPayload("binary", utf8('{"a":1}'), "application/vnd.api+json")).warnings).toEqual([]);
      expect(analyze(mediaPayload("binary", Uint8Array.of(0, 1, 2), "application/octet-stream")).warnings).toEqual([]);
    });

    it("rejects bytes that start like a known format but are corrupt", () => {
      expect(violationsOf(() => analyze(mediaPayload("binary", pngBytes({ width: 2, height: 2 }).subarray(0, 16))))).toEqual([
        {
          field: "payload.binary.data",
          description: "starts like a PNG but is truncated: the PNG signature and IHDR chunk needs 33 bytes, got 16",
        },
      ]);
    });

    it("rejects JSON beyond the row limit", () => {
      const rows = utf8(JSON.stringify(Array.from({ length: 10_001 }, () => ({}))));
      expect(violationsOf(() => analyze(mediaPayload("binary", rows)))).toEqual([
        { field: "payload.binary.data", description: "is JSON with 10001 rows; at most 10000 can be analysed: split the request" },
      ]);
    });

    it("rejects empty data", () => {
      expect(violationsOf(() => analyze(mediaPayload("binary", new Uint8Array(0))))).toEqual([
        { field: "payload.binary.data", description: "is empty: send the bytes of the payload" },
      ]);
    });
  });

  describe("metadata", () => {
    it("passes into the profile unchanged", () => {
      const metadata = { image_type: "medical", "tenant/tier": "premium", "a.b-c_d": "x".repeat(1024) };
      expect(analyze(textPayload("hello there"), metadata).metadata).toEqual(metadata);
    });

    it("reports every bad key and value, named metadata[\"key\"]", () => {
      const metadata = { "": "empty key", "has space": "v", ["k".repeat(64)]: "v", long: "é".repeat(1025), ok: "fine" };
      expect(violationsOf(() => analyze(textPayload("hi"), metadata))).toEqual([
        { field: 'metadata[""]', description: "has an empty key: keys are 1 to 63 characters" },
        { field: 'metadata["has space"]', description: "has a key with characters outside A-Z, a-z, 0-9, '.', '_', '/' and '-'" },
        { field: `metadata["${"k".repeat(64)}"]`, description: "has a key of 64 characters; at most 63 are allowed" },
        { field: 'metadata["long"]', description: "has a value longer than 1024 characters" },
      ]);
    });

    it("rejects more than 64 entries", () => {
      const metadata = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]));
      expect(violationsOf(() => analyze(textPayload("hi"), metadata))).toEqual([
        { field: "metadata", description: "has 65 entries; at most 64 are allowed" },
      ]);
    });

    it("is validated together with the payload, so that every problem is reported at once", () => {
      const violations = violationsOf(() => analyze(mediaPayload("image", new Uint8Array(0)), { "bad key": "v" }));
      expect(violations.map((v) => v.field)).toEqual(['metadata["bad key"]', "payload.image.data"]);
    });
  });
});
