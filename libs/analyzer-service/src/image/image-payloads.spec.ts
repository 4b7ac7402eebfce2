import { beforeAll, describe, expect, it } from "@jest/globals";
import { Modality } from "@modelrouter/contracts";
import { ErrorReason } from "@modelrouter/errors";
import { analyzePayload } from "../analyze-payload.js";
import { mediaPayload, refusalOf, violationsOf } from "../testing/analyze.test-support.js";
import {
  PNG_SIGNATURE,
  ascii,
  bmpBytes,
  concat,
  gifBytes,
  jpegBytes,
  jpegFrameBytes,
  jpegSegment,
  pngBytes,
  pngChunk,
  pngHeaderBytes,
  u32be,
  webpLossyBytes,
} from "../testing/fixtures.test-support.js";
import { JPEG_SAMPLES, PNG_SAMPLES, sample } from "../testing/samples.test-support.js";
import { type LanguageDetector, createLanguageDetector } from "../text/language-detector.js";

let languageDetector: LanguageDetector;
beforeAll(async () => {
  languageDetector = await createLanguageDetector({ database: "extrasmall" });
});

const analyzeImage = (bytes: Uint8Array, kind: "image" | "binary" = "image", metadata: Record<string, string> = {}) =>
  analyzePayload(mediaPayload(kind, bytes), metadata, { languageDetector });

/** The one violation of analysing `bytes` as `payload.image`, which must name `payload.image.data`. */
function imageProblem(bytes: Uint8Array): string {
  const violations = violationsOf(() => analyzeImage(bytes));
  expect(violations).toHaveLength(1);
  expect(violations[0]?.field).toBe("payload.image.data");
  return violations[0]?.description ?? "";
}

/** The chunks of a pngjs PNG, split at their boundaries: [signature, IHDR, …, IEND]. */
function pngParts(bytes: Uint8Array): Uint8Array[] {
  const parts = [bytes.subarray(0, 8)];
  for (let pos = 8; pos < bytes.length; ) {
    const length = ((bytes[pos]! << 24) | (bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!) >>> 0;
    parts.push(bytes.subarray(pos, pos + 12 + length));
    pos += 12 + length;
  }
  return parts;
}

describe("images: what is taken", () => {
  it.each(PNG_SAMPLES)("profiles the model zoo's sample %s", (name) => {
    expect(analyzeImage(sample(name))).toMatchObject({ modality: Modality.IMAGE, mimeType: "image/png", image: { format: "png" } });
  });

  it.each(JPEG_SAMPLES)("profiles libjpeg-turbo's %s", (name) => {
    expect(analyzeImage(sample(name))).toMatchObject({
      modality: Modality.IMAGE,
      mimeType: "image/jpeg",
      image: { format: "jpeg", width: 24, height: 16 },
    });
  });

  it("profiles pngjs's and jpeg-js's output of every colour type", () => {
    for (const colorType of [0, 2, 4, 6] as const) {
      expect(analyzeImage(pngBytes({ width: 7, height: 5, colorType })).image).toMatchObject({ width: 7, height: 5 });
    }
    expect(analyzeImage(jpegBytes({ width: 9, height: 3 })).image).toMatchObject({ format: "jpeg", width: 9, height: 3 });
  });

  it("takes an image of exactly 25,000,000 pixels, judged from its header", () => {
    const bytes = pngHeaderBytes({ width: 5000, height: 5000, bitDepth: 1, colourType: 0 });
    expect(analyzeImage(bytes).image).toMatchObject({ width: 5000, height: 5000 });
  });

  it("takes a JPEG followed by other bytes, as cameras append them, and reads nothing after EOI", () => {
    const bytes = concat(sample("cjpeg-baseline.jpg"), ascii("MPF thumbnail or padding"), [0xff, 0xd8]);
    expect(analyzeImage(bytes).image).toMatchObject({ format: "jpeg" });
  });

  it("takes a PNG whose unknown ancillary chunk has a bad CRC (a decoder ignores such a chunk)", () => {
    const [signature, ihdr, ...rest] = pngParts(pngBytes({ width: 2, height: 2 }));
    const text = pngChunk("tEXt", ascii("Comment\0hello")).slice();
    text[text.length - 1] = text[text.length - 1]! ^ 0xff;
    expect(analyzeImage(concat(signature!, ihdr!, text, ...rest)).image).toMatchObject({ width: 2 });
  });
});

describe("images: truncated or corrupt PNGs are refused, naming payload.image.data", () => {
  const png = pngBytes({ width: 16, height: 16 });
  const iend = png.length - 12;

  it("refuses a PNG cut anywhere after its IHDR chunk (these passed the analyzer and failed in the executor)", () => {
    for (let length = 33; length < png.length; length++) {
      expect(imageProblem(png.subarray(0, length))).toMatch(/^starts like a PNG but is truncated: /);
    }
  });

  it("says which chunk runs past the end, and that IEND is missing", () => {
    expect(imageProblem(png.subarray(0, 50))).toBe(`starts like a PNG but is truncated: chunk 'IDAT' at byte 33 declares ${iend - 45} bytes but 5 follow`);
    expect(imageProblem(png.subarray(0, iend))).toBe(
      `starts like a PNG but is truncated: it ends after ${iend} bytes without an IEND chunk (the last chunk of every PNG)`,
    );
  });

  it("refuses a bad CRC on a critical chunk, and on tRNS, which changes the pixels", () => {
    const flipped = png.slice();
    flipped[45] = flipped[45]! ^ 0x01;
    expect(imageProblem(flipped)).toBe("starts like a PNG but is corrupt: the CRC of chunk 'IDAT' at byte 33 does not match its bytes");
    const [signature, ihdr, ...rest] = pngParts(png);
    const trns = pngChunk("tRNS", [0, 1]).slice();
    trns[trns.length - 1] = trns[trns.length - 1]! ^ 0xff;
    expect(imageProblem(concat(signature!, ihdr!, trns, ...rest))).toBe(
      "starts like a PNG but is corrupt: the CRC of chunk 'tRNS' at byte 33 does not match its bytes",
    );
  });

  it("refuses a PNG without image data, with bytes after IEND, or with an unknown critical chunk", () => {
    const [signature, ihdr, ...rest] = pngParts(png);
    const end = rest[rest.length - 1]!;
    expect(imageProblem(concat(signature!, ihdr!, end))).toBe("starts like a PNG but is corrupt: it has no image data (no IDAT chunk)");
    expect(imageProblem(concat(png, [0, 0, 0]))).toBe("starts like a PNG but is corrupt: 3 bytes follow its IEND chunk, which ends a PNG");
    expect(imageProblem(concat(signature!, ihdr!, pngChunk("ABCD", [1]), ...rest))).toBe(
      "starts like a PNG but is corrupt: chunk 'ABCD' at byte 33 is critical but unknown, so no decoder can read the file",
    );
  });

  it("refuses a palette PNG without PLTE, and chunk types and lengths no PNG has", () => {
    const palette = pngHeaderBytes({ width: 2, height: 2, bitDepth: 8, colourType: 3 });
    const [signature, ihdr, , ...rest] = pngParts(palette);
    expect(imageProblem(concat(signature!, ihdr!, ...rest))).toBe(
      "starts like a PNG but is corrupt: an indexed-colour PNG needs a PLTE chunk before its image data (IDAT)",
    );
    const badType = concat(PNG_SIGNATURE, ihdr!, u32be(0), [0x49, 0x44, 0x41, 0x31], u32be(0));
    expect(imageProblem(badType)).toBe("starts like a PNG but is corrupt: the chunk at byte 33 has the type 'IDA1', which is not four letters");
    const huge = concat(PNG_SIGNATURE, ihdr!, u32be(0x80000000), ascii("IDAT"), u32be(0));
    expect(imageProblem(huge)).toBe("starts like a PNG but is corrupt: chunk 'IDAT' at byte 33 declares 2147483648 bytes, more than 2^31-1");
  });
});

describe("images: too many pixels are refused from the header", () => {
  it("refuses a 54-byte PNG declaring 100000×100000 pixels before reading anything else, naming the limit", () => {
    const bytes = pngHeaderBytes({ width: 100_000, height: 100_000, bitDepth: 8, colourType: 2 });
    expect(imageProblem(bytes)).toBe(
      "is a PNG image of 100000×100000 pixels (10000000000 in all); at most 25000000 pixels are taken: scale it down",
    );
    expect(imageProblem(pngHeaderBytes({ width: 5000, height: 5001, bitDepth: 1, colourType: 0 }))).toMatch(/25005000 in all/);
  });

  it("refuses a JPEG declaring 65535×65535 pixels", () => {
    expect(imageProblem(jpegFrameBytes({ width: 65535, height: 65535 }))).toBe(
      "is a JPEG image of 65535×65535 pixels (4294836225 in all); at most 25000000 pixels are taken: scale it down",
    );
  });
});

describe("images: truncated or corrupt JPEGs are refused, naming payload.image.data", () => {
  const jpeg = sample("cjpeg-progressive.jpg");

  it("refuses a JPEG cut anywhere, before or inside its scans", () => {
    for (let length = 3; length < jpeg.length; length++) {
      expect(imageProblem(jpeg.subarray(0, length))).toMatch(/^starts like a JPEG but is truncated: /);
    }
  });

  it("says that the EOI marker is missing", () => {
    expect(imageProblem(jpeg.subarray(0, jpeg.length - 2))).toBe(
      `starts like a JPEG but is truncated: it ends after ${jpeg.length - 2} bytes, inside scan data, before the EOI marker that ends every JPEG`,
    );
  });

  it("refuses a JPEG without scans, a scan before the frame header, and a malformed scan header", () => {
    const noScan = concat([0xff, 0xd8], jpegSegment(0xc0, [8, 0, 4, 0, 4, 1, 1, 0x11, 0]), [0xff, 0xd9]);
    expect(imageProblem(noScan)).toBe("starts like a JPEG but is corrupt: it ends (EOI) without any scan data (SOS)");
    const badScan = concat([0xff, 0xd8], jpegSegment(0xc0, [8, 0, 4, 0, 4, 1, 1, 0x11, 0]), jpegSegment(0xda, [2, 1, 0, 0, 63, 0]), [0xff, 0xd9]);
    expect(imageProblem(badScan)).toBe("starts like a JPEG but is corrupt: the scan header (SOS) at byte 15 is 8 bytes long for 2 components");
  });
});

describe("images: formats and variants no model decodes are refused as PAYLOAD_UNSUPPORTED", () => {
  it.each([
    ["GIF", gifBytes({ width: 20, height: 10 })],
    ["WebP", webpLossyBytes(20, 10)],
    ["BMP", bmpBytes({ width: 20, height: 10, bitsPerPixel: 24 })],
  ])("refuses a %s image, saying what it is and which formats are taken", (label, bytes) => {
    expect(refusalOf(() => analyzeImage(bytes))).toEqual({
      reason: ErrorReason.PAYLOAD_UNSUPPORTED,
      violations: [
        {
          field: "payload.image.data",
          description: `is a ${label} image of 20×10 pixels, which models cannot decode: send a PNG or JPEG image instead`,
        },
      ],
    });
  });

  it("refuses a GIF sent as binary data too, and names the format even when its header is damaged", () => {
    expect(refusalOf(() => analyzeImage(gifBytes({ width: 2, height: 2 }), "binary"))).toMatchObject({
      reason: ErrorReason.PAYLOAD_UNSUPPORTED,
      violations: [{ field: "payload.binary.data", description: expect.stringMatching(/^is a GIF image of 2×2 pixels/) }],
    });
    expect(refusalOf(() => analyzeImage(ascii("GIF89a\x01")))).toMatchObject({
      reason: ErrorReason.PAYLOAD_UNSUPPORTED,
      violations: [{ field: "payload.image.data", description: "is a GIF image, which models cannot decode: send a PNG or JPEG image instead" }],
    });
  });

  it("refuses an arithmetic-coded JPEG, which jpeg-js cannot decode, saying which JPEGs are taken", () => {
    expect(refusalOf(() => analyzeImage(sample("cjpeg-arithmetic.jpg")))).toEqual({
      reason: ErrorReason.PAYLOAD_UNSUPPORTED,
      violations: [
        {
          field: "payload.image.data",
          description:
            "starts like a JPEG but is not supported: it is arithmetic-coded sequential (SOF9); baseline, extended and progressive Huffman-coded JPEGs (SOF0, SOF1, SOF2) are taken",
        },
      ],
    });
  });

  it("refuses a JPEG with a second frame header (hierarchical)", () => {
    const frame = jpegFrameBytes({ width: 4, height: 4 });
    const second = jpegSegment(0xc0, [8, 0, 4, 0, 4, 1, 1, 0x11, 0]);
    const bytes = concat(frame.subarray(0, frame.length - 2), second, [0xff, 0xd9]);
    expect(refusalOf(() => analyzeImage(bytes))).toMatchObject({
      reason: ErrorReason.PAYLOAD_UNSUPPORTED,
      violations: [{ field: "payload.image.data", description: expect.stringMatching(/second frame header at byte \d+; one frame is taken$/) }],
    });
  });

  it("reports an unsupported image with the request's invalid fields as one INVALID_FIELD error", () => {
    expect(refusalOf(() => analyzeImage(gifBytes({ width: 2, height: 2 }), "image", { "bad key": "v" }))).toMatchObject({
      reason: ErrorReason.INVALID_FIELD,
      violations: [{ field: 'metadata["bad key"]' }, { field: "payload.image.data", description: expect.stringMatching(/^is a GIF image/) }],
    });
  });
});
