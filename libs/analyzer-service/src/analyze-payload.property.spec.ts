import { create, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { beforeAll, describe, expect, it } from "@jest/globals";
import { type InputProfile, Modality, type Payload, PayloadSchema, TensorSchema } from "@modelrouter/contracts";
import { ErrorReason, type FieldViolation, isDomainError } from "@modelrouter/errors";
import fc from "fast-check";
import { deflateSync } from "node:zlib";
import { analyzePayload } from "./analyze-payload.js";
import { readBmpHeader } from "./image/bmp-header.js";
import {
  ascii,
  bmpBytes,
  concat,
  gifBytes,
  jpegBytes,
  jpegFrameBytes,
  pngBytes,
  pngChunk,
  pngHeaderBytes,
  u32be,
  u32le,
  wavBytes,
  webpExtendedBytes,
  webpLosslessBytes,
  webpLossyBytes,
} from "./testing/fixtures.test-support.js";
import { readGifHeader } from "./image/gif-header.js";
import { isJpeg, readJpegHeader } from "./image/jpeg-header.js";
import { type LanguageDetector, createLanguageDetector } from "./text/language-detector.js";
import { isPng, readPngHeader } from "./image/png-header.js";
import { readWavHeader } from "./audio/wav-header.js";
import { readWebpHeader } from "./image/webp-header.js";
import { walkJpeg } from "./image/jpeg-segments.js";
import { walkPngChunks } from "./image/png-chunks.js";
import { JPEG_SAMPLES, PNG_SAMPLES, WAV_SAMPLES, sample } from "./testing/samples.test-support.js";

let languageDetector: LanguageDetector;
beforeAll(async () => {
  languageDetector = await createLanguageDetector();
});

// One seed for every property, so that CI runs the same cases each time and a failure reproduces; change it to
// explore other cases locally.
fc.configureGlobal({ seed: 20_261_206 });

const RUNS = { numRuns: 300 };

/** Valid files of every recognised format, the seeds of the mutation arbitraries. */
const VALID_FILES: readonly Uint8Array[] = [
  pngBytes({ width: 3, height: 2 }),
  pngHeaderBytes({ width: 9, height: 9, bitDepth: 2, colourType: 3 }),
  jpegBytes({ width: 4, height: 4 }),
  jpegFrameBytes({ width: 4, height: 4, sof: 0xc2, components: 1 }),
  gifBytes({ width: 4, height: 4, tableBits: 1 }),
  webpLossyBytes(4, 4),
  webpLosslessBytes(4, 4, true),
  webpExtendedBytes(4, 4, false),
  bmpBytes({ width: 4, height: 4, bitsPerPixel: 32, dibSize: 124, alphaMask: 0xff }),
  bmpBytes({ width: 4, height: 4, bitsPerPixel: 8, dibSize: 12 }),
  wavBytes({ frames: 8, chunksBeforeData: [{ id: "LIST", size: 3 }] }),
  wavBytes({ frames: 8, layout: "extensible-float", bitsPerSample: 32 }),
];

/** Magic numbers, so that random tails reach deep into each detector. */
const MAGIC_PREFIXES: readonly Uint8Array[] = [
  Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
  concat([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], ascii("IHDR")),
  Uint8Array.of(0xff, 0xd8, 0xff),
  ascii("GIF89a"),
  concat(ascii("RIFF"), u32le(100), ascii("WAVEfmt ")),
  concat(ascii("RIFF"), u32le(100), ascii("WAVE")),
  concat(ascii("RIFF"), u32le(100), ascii("WEBPVP8 ")),
  concat(ascii("RIFF"), u32le(100), ascii("WEBPVP8L")),
  concat(ascii("RIFF"), u32le(100), ascii("WEBPVP8X")),
  concat(ascii("BM"), new Uint8Array(12), u32le(40)),
  Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b),
  ascii("[{"),
];

const anyBytes = fc.uint8Array({ maxLength: 300 });
const magicBytes = fc
  .tuple(fc.constantFrom(...MAGIC_PREFIXES), fc.uint8Array({ maxLength: 200 }))
  .map(([prefix, tail]) => concat(prefix, tail));
const mutatedFiles = fc.constantFrom(...VALID_FILES).chain((file) =>
  fc
    .record({
      cut: fc.integer({ min: 0, max: file.length }),
      flips: fc.array(fc.tuple(fc.nat(file.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    })
    .map(({ cut, flips }) => {
      const bytes = file.slice();
      for (const [at, value] of flips) bytes[at] = value;
      return bytes.subarray(0, cut);
    }),
);
const someBytes = fc.oneof(anyBytes, magicBytes, mutatedFiles);
const anyUtf16 = fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)), maxLength: 200 });
const anyText = fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), anyUtf16, fc.json());
const mimeTypes = fc.oneof(fc.constantFrom("", "image/png", "image/jpeg", "audio/wav", "text/plain", "application/json"), fc.string());
const metadata = fc.oneof(
  fc.constant({}),
  fc.dictionary(fc.stringMatching(/^[a-z_]{1,10}$/), fc.string({ maxLength: 20 }), { maxKeys: 5 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 70 }),
);

const mediaPayloads = fc
  .record({ kind: fc.constantFrom("image" as const, "audio" as const, "binary" as const), data: someBytes, mimeType: mimeTypes })
  .map(({ kind, data, mimeType }) => create(PayloadSchema, { kind: { case: kind, value: { data, mimeType } } }));
const textPayloads = anyText.map((text) => create(PayloadSchema, { kind: { case: "text", value: text } }));
const jsonPayloads = fc
  .jsonValue({ maxDepth: 3 })
  .map((json) => create(PayloadSchema, { kind: { case: "json", value: fromJson(ValueSchema, json as JsonValue) } }));
const tensorPayloads = fc
  .record({
    dataType: fc.integer({ min: -1, max: 8 }),
    shape: fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 4 }),
    floatData: fc.array(fc.double(), { maxLength: 20 }),
    intData: fc.array(fc.bigInt({ min: -300n, max: 300n }), { maxLength: 20 }),
    rawData: fc.uint8Array({ maxLength: 40 }),
  })
  .map((init) => create(PayloadSchema, { kind: { case: "tensor", value: create(TensorSchema, init) } }));
const anyPayload = fc.oneof(mediaPayloads, textPayloads, jsonPayloads, tensorPayloads, fc.constant(undefined), fc.constant(create(PayloadSchema)));

/** The reasons the analyzer refuses a request with; both are INVALID_ARGUMENT. */
const REFUSALS: readonly string[] = [ErrorReason.INVALID_FIELD, ErrorReason.PAYLOAD_UNSUPPORTED];

/** True for a violation that names a field of the request (`payload…` or `metadata…`) and says something about it. */
function namesItsField(violation: FieldViolation): boolean {
  return /^(payload|metadata)([.[]|$)/.test(violation.field) && violation.description.length > 0;
}

/**
 * Runs the analyzer; returns the profile, or undefined for a refusal (INVALID_FIELD or PAYLOAD_UNSUPPORTED) whose
 * every violation names its field; rethrows anything else.
 */
function outcome(payload: Payload | undefined, meta: Record<string, string>): InputProfile | undefined {
  try {
    return analyzePayload(payload, meta, { languageDetector });
  } catch (error) {
    if (isDomainError(error) && REFUSALS.includes(error.reason) && error.violations.length > 0 && error.violations.every(namesItsField)) {
      return undefined;
    }
    throw error;
  }
}

const SUB_PROFILE: Readonly<Partial<Record<Modality, keyof InputProfile>>> = {
  [Modality.IMAGE]: "image",
  [Modality.AUDIO]: "audio",
  [Modality.TEXT]: "text",
  [Modality.TABULAR]: "tabular",
  [Modality.TENSOR]: "tensor",
};

describe("AnalyzePayload for any input", () => {
  it("returns a profile or refuses with violations that each name a payload or metadata field, never anything else", () => {
    fc.assert(
      fc.property(anyPayload, metadata, (payload, meta) => {
        outcome(payload, meta);
      }),
      { numRuns: 1000 },
    );
  });

  it("sets exactly the sub-profile of the detected modality, passes metadata through and counts media bytes", () => {
    fc.assert(
      fc.property(anyPayload, (payload) => {
        const profile = outcome(payload, { k: "v" });
        if (profile === undefined) return;
        const set = (["image", "audio", "text", "tabular", "tensor"] as const).filter((key) => profile[key] !== undefined);
        const expected = SUB_PROFILE[profile.modality];
        expect(set).toEqual(expected === undefined ? [] : [expected]);
        expect(profile.modality).not.toBe(Modality.UNSPECIFIED);
        expect(profile.mimeType).not.toBe("");
        expect(profile.metadata).toEqual({ k: "v" });
        const kind = payload?.kind;
        if (kind?.case === "image" || kind?.case === "audio" || kind?.case === "binary") {
          expect(profile.sizeBytes).toBe(kind.value.data.length);
          expect(profile.declaredMimeType).toBe(kind.value.mimeType);
        }
      }),
      RUNS,
    );
  });

  it("gives every numeric field min ≤ mean ≤ max, the mean of its numbers, and presence within the row count", () => {
    const cell = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constant(null), fc.boolean());
    const rows = fc.array(fc.dictionary(fc.constantFrom("a", "b", "c"), cell), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(rows, (list) => {
        const payload = create(PayloadSchema, { kind: { case: "json", value: fromJson(ValueSchema, list as JsonValue) } });
        const tabular = analyzePayload(payload, {}, { languageDetector }).tabular!;
        expect(tabular.rowCount).toBe(list.length);
        for (const [name, field] of Object.entries(tabular.fields)) {
          expect(field.presentCount).toBeLessThanOrEqual(list.length);
          if (field.type !== "number") continue;
          const numbers = list.map((row) => row[name]).filter((v): v is number => typeof v === "number");
          expect(field.presentCount).toBe(numbers.length);
          expect(field.min).toBe(Math.min(...numbers));
          expect(field.max).toBe(Math.max(...numbers));
          expect(field.min).toBeLessThanOrEqual(field.mean);
          expect(field.mean).toBeLessThanOrEqual(field.max);
          const sum = numbers.reduce((a, b) => a + b, 0);
          if (Number.isFinite(sum)) {
            const scale = Math.max(Math.abs(field.min), Math.abs(field.max));
            expect(Math.abs(field.mean - sum / numbers.length)).toBeLessThanOrEqual(scale * 1e-9);
          }
        }
      }),
      RUNS,
    );
  });
});

describe("header readers for any bytes", () => {
  it.each([
    ["readPngHeader", readPngHeader],
    ["readJpegHeader", readJpegHeader],
    ["readGifHeader", readGifHeader],
    ["readWebpHeader", readWebpHeader],
    ["readBmpHeader", readBmpHeader],
    ["readWavHeader", readWavHeader],
  ] as const)("%s returns a header or a problem, and never throws", (_name, read) => {
    fc.assert(
      fc.property(someBytes, (bytes) => {
        const result = read(bytes);
        if (result.ok) expect(Object.values(result.value).every((v) => typeof v === "string" || Number.isFinite(v))).toBe(true);
        else expect(result.problem).toMatch(/^(is|does) /);
      }),
      { numRuns: 500 },
    );
  });
});

/** Files from real encoders (libjpeg-turbo, SoX, the model zoo, pngjs, jpeg-js): the seeds of the damage below. */
const REAL_FILES: readonly Uint8Array[] = [
  ...[...PNG_SAMPLES, ...JPEG_SAMPLES, "cjpeg-arithmetic.jpg", ...WAV_SAMPLES].map(sample),
  pngBytes({ width: 40, height: 30, colorType: 2 }),
  jpegBytes({ width: 40, height: 30 }),
];

/** A real file cut short and with up to 4 bytes changed (each flip changes its byte). */
const damagedFiles = fc.constantFrom(...REAL_FILES).chain((file) =>
  fc
    .record({
      cut: fc.integer({ min: 0, max: file.length }),
      flips: fc.array(fc.tuple(fc.nat(file.length - 1), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
    })
    .map(({ cut, flips }) => {
      const bytes = file.slice();
      for (const [at, mask] of flips) bytes[at] = (bytes[at] as number) ^ mask;
      return bytes.subarray(0, cut);
    }),
);

/** A walk over a file's chunks or segments that reports each step's start and end. */
type Walk = (step: (offset: number, end: number) => undefined) => unknown;

const pngWalk = (bytes: Uint8Array): Walk => (step) => walkPngChunks(bytes, (_type, offset, length) => step(offset, offset + 12 + length));
const jpegWalk = (bytes: Uint8Array): Walk => (step) => walkJpeg(bytes, (_marker, offset, end) => step(offset, end));

/**
 * Counts the steps of a walk, checking that each starts where the last ended or later and ends within the
 * bytes, and that there are no more steps than bytes: the walk's work is linear in the size.
 */
function checkSteps(bytes: Uint8Array, walk: Walk): number {
  let count = 0;
  let last = 0;
  let forward = true;
  walk((offset, end) => {
    forward &&= offset >= last && end >= offset && end <= bytes.length;
    last = end;
    count++;
    return undefined;
  });
  expect(forward).toBe(true);
  expect(count).toBeLessThanOrEqual(bytes.length);
  return count;
}

describe("real PNG, JPEG and WAV files, truncated and with bytes flipped", () => {
  it.each(["image", "audio", "binary"] as const)("are profiled, or refused naming payload.%s.data, never anything else", (kind) => {
    fc.assert(
      fc.property(damagedFiles, (data) => {
        try {
          analyzePayload(create(PayloadSchema, { kind: { case: kind, value: { data } } }), {}, { languageDetector });
        } catch (error) {
          if (!isDomainError(error) || !REFUSALS.includes(error.reason)) throw error;
          expect(error.violations.map((v) => v.field)).toEqual([`payload.${kind}.data`]);
          expect(error.violations[0]?.description).not.toBe("");
        }
      }),
      { numRuns: 500 },
    );
  });

  it("are walked chunk by chunk and segment by segment, forward only: at most one step per byte", () => {
    fc.assert(
      fc.property(damagedFiles, (bytes) => {
        if (isPng(bytes)) {
          const chunks = checkSteps(bytes, pngWalk(bytes));
          expect(chunks).toBeLessThanOrEqual(Math.floor(bytes.length / 12));
        }
        if (isJpeg(bytes)) checkSteps(bytes, jpegWalk(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  it("are walked in one step per chunk even when a file holds nothing but 100,000 empty chunks", () => {
    const png = pngBytes({ width: 1, height: 1 });
    const empty = concat(u32be(0), ascii("tEXt"), u32be(0));
    const many = concat(png.subarray(0, 33), ...Array.from({ length: 100_000 }, () => empty), png.subarray(33));
    expect(checkSteps(many, pngWalk(many))).toBe(100_003);
    const segments = concat([0xff, 0xd8], ...Array.from({ length: 100_000 }, () => Uint8Array.of(0xff, 0xfe, 0, 2)), [0xff, 0xd9]);
    expect(checkSteps(segments, jpegWalk(segments))).toBe(100_001);
  });
});

/** The scripts `input.text.script` may name. */
const SCRIPTS = new Set(["", "Latin", "Greek", "Cyrillic", "Armenian", "Hebrew", "Arabic", "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala", "Thai", "Lao", "Tibetan", "Myanmar", "Georgian", "Hangul", "Ethiopic", "Khmer", "Hiragana", "Katakana", "Han"]);

/** Checks the derived features of a profile against each other and their documented ranges. */
function checkFeatures(profile: InputProfile): void {
  const { image, audio, text, tabular } = profile;
  if (image !== undefined) {
    expect(["gray", "color"]).toContain(image.color);
    expect(image.minSide).toBe(Math.min(image.width, image.height));
    expect(Number.isFinite(image.sharpness) && image.sharpness >= 0).toBe(true);
    expect(image.pixelsAnalyzed === 0 || image.pixelsAnalyzed === image.width * image.height).toBe(true);
    if (image.pixelsAnalyzed === 0) expect(image.sharpness).toBe(0);
    if (image.channels <= 2) expect(image.color).toBe("gray");
  }
  if (audio !== undefined) {
    for (const level of [audio.rmsDbfs, audio.peakDbfs]) {
      expect(level).toBeGreaterThanOrEqual(-120);
      expect(level).toBeLessThanOrEqual(0);
    }
    expect(audio.rmsDbfs).toBeLessThanOrEqual(audio.peakDbfs + 1e-9);
    expect(audio.speechRatio).toBeGreaterThanOrEqual(0);
    expect(audio.speechRatio).toBeLessThanOrEqual(1);
    expect(audio.analyzedSeconds).toBeLessThanOrEqual(Math.min(audio.durationSeconds, 10) + 1e-9);
  }
  if (text !== undefined) {
    expect(SCRIPTS.has(text.script)).toBe(true);
    expect(text.tokenEstimate).toBeGreaterThanOrEqual(Math.ceil(text.length / 4));
    expect(text.tokenEstimate).toBeLessThanOrEqual(text.length);
    expect(text.lineCount).toBeGreaterThanOrEqual(1);
    expect(text.lineCount).toBeLessThanOrEqual(text.length);
  }
  for (const field of Object.values(tabular?.fields ?? {})) {
    if (field.type !== "array") expect([field.minLength, field.maxLength]).toEqual([0, 0]);
    expect(field.minLength).toBeLessThanOrEqual(field.maxLength);
  }
}

/** A WAV header of any recognised encoding, with a data chunk that may declare more or fewer bytes than follow. */
const hostileWavs = fc
  .record({
    layout: fc.constantFrom("pcm" as const, "float" as const),
    bits: fc.constantFrom(8, 16, 24, 32, 64),
    channels: fc.integer({ min: 1, max: 6 }),
    sampleRateHz: fc.oneof(fc.integer({ min: 1, max: 200_000 }), fc.constant(0xffff_ffff)),
    declared: fc.oneof(fc.nat(), fc.constant(0xffff_ffff), fc.constant(undefined)),
    samples: fc.uint8Array({ maxLength: 4000 }),
  })
  .map(({ layout, bits, channels, sampleRateHz, declared, samples }) => {
    const bitsPerSample = layout === "float" ? (bits === 64 ? 64 : 32) : Math.min(bits, 32);
    const declaredDataSize = declared ?? samples.length;
    const header = wavBytes({ layout, bitsPerSample, channels, sampleRateHz, frames: 0, declaredDataSize });
    return concat(header, samples);
  });

/** A real PNG's signature and IHDR, then an IDAT of random (mostly not deflate) bytes and IEND, CRCs correct. */
const pngsWithRandomData = fc
  .record({
    width: fc.integer({ min: 1, max: 64 }),
    height: fc.integer({ min: 1, max: 64 }),
    colourType: fc.constantFrom(0, 2, 4, 6),
    data: fc.oneof(fc.uint8Array({ maxLength: 500 }), fc.uint8Array({ maxLength: 500 }).map((bytes) => deflateSync(bytes))),
  })
  .map(({ width, height, colourType, data }) => {
    const header = pngHeaderBytes({ width, height, bitDepth: 8, colourType });
    return concat(header.subarray(0, 33), pngChunk("IDAT", data), pngChunk("IEND", []));
  });

/** JSON text nested, repeated or shaped to hurt a parser or a table builder. */
const hostileJsonTexts = fc.oneof(
  fc.integer({ min: 1, max: 5000 }).map((depth) => `${"[".repeat(depth)}${"]".repeat(depth)}`),
  fc.integer({ min: 1, max: 5000 }).map((depth) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`),
  fc.integer({ min: 1, max: 5000 }).map((depth) => `[{"samples": ${"[".repeat(depth)}${"]".repeat(depth)}}]`),
  fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 50 }).map((values) => JSON.stringify(values.map((v) => ({ v, samples: [v, v] })))),
  fc.integer({ min: 9_990, max: 10_010 }).map((rows) => `[${Array.from({ length: rows }, () => '{"x":[1]}').join(",")}]`),
);

/** Bytes that are almost UTF-8 text: valid text with bytes cut, flipped or inserted, including lone continuation and lead bytes. */
const nearlyUtf8 = fc
  .record({
    text: fc.string({ unit: "grapheme", maxLength: 80 }),
    edits: fc.array(fc.tuple(fc.nat(), fc.constantFrom(0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xf0, 0xf4, 0xf8, 0xff, 0x0a, 0x00)), { maxLength: 4 }),
  })
  .map(({ text, edits }) => {
    const bytes = Array.from(new TextEncoder().encode(text));
    for (const [at, byte] of edits) bytes.splice(bytes.length === 0 ? 0 : at % (bytes.length + 1), 0, byte);
    return Uint8Array.from(bytes);
  });

describe("the analyzer's features for hostile payloads", () => {
  const run = (payload: Payload) => outcome(payload, {});
  const media = (kind: "image" | "audio" | "binary", data: Uint8Array) => create(PayloadSchema, { kind: { case: kind, value: { data } } });

  it("measures WAVs of any encoding, rate and channel count, with lying data sizes and random samples, within their ranges", () => {
    let measured = 0;
    fc.assert(
      fc.property(hostileWavs, (wav) => {
        const profile = run(media("audio", wav));
        if (profile === undefined) return;
        checkFeatures(profile);
        if (profile.audio!.peakDbfs > -120) measured++;
      }),
      { numRuns: 300 },
    );
    expect(measured).toBeGreaterThan(30);
  });

  it("profiles PNGs whose image data is random, with a warning naming the field, or refuses them naming it", () => {
    fc.assert(
      fc.property(pngsWithRandomData, (png) => {
        const profile = run(media("image", png));
        if (profile === undefined) return;
        checkFeatures(profile);
        for (const warning of profile.warnings) expect(warning).toMatch(/^payload\.image\.data: the pixels were not analysed: /);
        if (profile.image!.pixelsAnalyzed === 0) expect(profile.warnings).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });

  it("gives every damaged real file that is still profiled features within their ranges, decoded or not", () => {
    const flippedFiles = fc.constantFrom(...REAL_FILES).chain((file) =>
      fc.array(fc.tuple(fc.nat(file.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
        const bytes = file.slice();
        for (const [at, mask] of flips) bytes[at] = (bytes[at] as number) ^ mask;
        return bytes;
      }),
    );
    let decoded = 0;
    fc.assert(
      fc.property(fc.oneof(damagedFiles, flippedFiles), (data) => {
        const profile = run(media("binary", data));
        if (profile === undefined) return;
        checkFeatures(profile);
        if ((profile.image?.pixelsAnalyzed ?? 0) > 0) decoded++;
      }),
      { numRuns: 400 },
    );
    expect(decoded).toBeGreaterThan(10);
  });

  it("profiles deeply nested, array-laden or oversized JSON text as a table or text, or refuses it naming payload.text", () => {
    fc.assert(
      fc.property(hostileJsonTexts, (json) => {
        const profile = run(create(PayloadSchema, { kind: { case: "text", value: json } }));
        if (profile !== undefined) checkFeatures(profile);
      }),
      { numRuns: 60 },
    );
  });

  it("profiles nearly-UTF-8 bytes as text with consistent counts, or as JSON or binary", () => {
    fc.assert(
      fc.property(nearlyUtf8, (bytes) => {
        const profile = run(media("binary", bytes));
        if (profile !== undefined) checkFeatures(profile);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps every text's script, token estimate and line count within their ranges", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const profile = run(create(PayloadSchema, { kind: { case: "text", value: text } }));
        if (profile !== undefined) checkFeatures(profile);
      }),
      { numRuns: 500 },
    );
  });
});
