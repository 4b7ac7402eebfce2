import { create } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { beforeAll, describe, expect, it } from "@jest/globals";
import { DataType, type Payload, PayloadSchema } from "@modelrouter/contracts";
import { ErrorReason } from "@modelrouter/errors";
import { analyzePayload } from "./analyze-payload.js";
import { jsonPayload, mediaPayload, refusalOf, tensorPayload, textPayload } from "./testing/analyze.test-support.js";
import { ascii, gifBytes, pngBytes, pngHeaderBytes, u16le, utf8, wavBytes } from "./testing/fixtures.test-support.js";
import { sample } from "./testing/samples.test-support.js";
import { type LanguageDetector, createLanguageDetector } from "./text/language-detector.js";

let languageDetector: LanguageDetector;
beforeAll(async () => {
  languageDetector = await createLanguageDetector({ database: "extrasmall" });
});

const png = pngBytes({ width: 8, height: 8 });
const wav = wavBytes({ frames: 8 });
const aLaw = wav.slice();
aLaw.set(u16le(6), 20);
const deep = (depth: number): unknown => (depth === 0 ? 1 : { a: deep(depth - 1) });

/** One bad request for every way the analyzer refuses one: [what is wrong, payload, metadata]. */
const BAD_REQUESTS: ReadonlyArray<readonly [string, Payload | undefined, Record<string, string>]> = [
  ["no payload", undefined, {}],
  ["a payload with no kind set", create(PayloadSchema), {}],
  ["empty text", textPayload(""), {}],
  ["text that is JSON of 10,001 rows", textPayload(JSON.stringify(Array.from({ length: 10_001 }, () => ({})))), {}],
  ["text that is JSON of 1,001 fields", textPayload(JSON.stringify(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`f${i}`, i])))), {}],
  ["empty image data", mediaPayload("image", new Uint8Array(0)), {}],
  ["image data that is text", mediaPayload("image", utf8("not an image")), {}],
  ["a truncated PNG", mediaPayload("image", png.subarray(0, png.length - 20)), {}],
  ["a PNG with bytes after IEND", mediaPayload("image", new Uint8Array([...png, 0])), {}],
  ["a PNG declaring 10⁹ pixels", mediaPayload("image", pngHeaderBytes({ width: 50_000, height: 20_000, bitDepth: 8, colourType: 2 })), {}],
  ["a GIF", mediaPayload("image", gifBytes({ width: 2, height: 2 })), {}],
  ["an arithmetic-coded JPEG", mediaPayload("image", sample("cjpeg-arithmetic.jpg")), {}],
  ["a JPEG without EOI", mediaPayload("binary", sample("cjpeg-baseline.jpg").subarray(0, 700)), {}],
  ["audio data that is no WAV", mediaPayload("audio", ascii("ID3\x04")), {}],
  ["a truncated WAV", mediaPayload("audio", wav.subarray(0, wav.length - 1)), {}],
  ["A-law WAV audio", mediaPayload("audio", aLaw), {}],
  ["binary JSON of 10,001 rows", mediaPayload("binary", utf8(JSON.stringify(Array.from({ length: 10_001 }, () => ({}))))), {}],
  ["a JSON string", jsonPayload("a string"), {}],
  ["a JSON list of 25 numbers", jsonPayload(Array.from({ length: 25 }, (_, i) => i)), {}],
  ["a JSON row with NaN", create(PayloadSchema, {
    kind: { case: "json", value: create(ValueSchema, { kind: { case: "structValue", value: { fields: { x: create(ValueSchema, { kind: { case: "numberValue", value: Number.NaN } }) } } } }) },
  }), {}],
  ["JSON nested 40 levels deep", jsonPayload(deep(40) as never), {}],
  ["JSON of 10,001 rows", jsonPayload(Array.from({ length: 10_001 }, () => ({}))), {}],
  ["a tensor without type, shape or data", tensorPayload({}), {}],
  ["a tensor with a bad dimension and two data fields", tensorPayload({ dataType: DataType.INT32, shape: [2, 0], intData: [1n], rawData: new Uint8Array(4) }), {}],
  ["a tensor whose int_data is out of range", tensorPayload({ dataType: DataType.UINT8, shape: [1], intData: [300n] }), {}],
  ["a tensor of 33 dimensions", tensorPayload({ dataType: DataType.UINT8, shape: new Array(33).fill(1), rawData: new Uint8Array(1) }), {}],
  ["65 metadata entries", textPayload("hi"), Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]))],
  ["bad metadata keys and values", textPayload("hi"), { "": "v", "a b": "v", ["k".repeat(64)]: "v", long: "x".repeat(1025) }],
];

describe("every refusal names its fields", () => {
  it.each(BAD_REQUESTS)("%s: INVALID_ARGUMENT whose every violation names a payload or metadata field", (_what, payload, metadata) => {
    const { reason, violations } = refusalOf(() => analyzePayload(payload, metadata, { languageDetector }));
    expect([ErrorReason.INVALID_FIELD, ErrorReason.PAYLOAD_UNSUPPORTED]).toContain(reason);
    expect(violations.length).toBeGreaterThan(0);
    for (const { field, description } of violations) {
      expect(field).toMatch(/^(payload|metadata)([.[]|$)/);
      expect(description.length).toBeGreaterThan(10);
    }
  });

  it("names the payload field that holds the bytes, not just `payload`, for every media problem", () => {
    for (const [, payload, metadata] of BAD_REQUESTS) {
      const kind = payload?.kind.case;
      if (kind !== "image" && kind !== "audio" && kind !== "binary") continue;
      const { violations } = refusalOf(() => analyzePayload(payload, metadata, { languageDetector }));
      expect(violations.map((v) => v.field)).toEqual([`payload.${kind}.data`]);
    }
  });
});
