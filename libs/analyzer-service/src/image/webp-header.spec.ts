import { describe, expect, it } from "@jest/globals";
import { ascii, concat, u32le, webpExtendedBytes, webpLosslessBytes, webpLossyBytes } from "../testing/fixtures.test-support.js";
import { readWebpHeader } from "./webp-header.js";

describe("readWebpHeader", () => {
  it("reads a lossy (VP8) WebP's frame size as 3 channels", () => {
    expect(readWebpHeader(webpLossyBytes(550, 368))).toEqual({
      ok: true,
      value: { format: "webp", width: 550, height: 368, channels: 3, bitDepth: 8 },
    });
  });

  it("reads a lossless (VP8L) WebP's size and alpha flag", () => {
    expect(readWebpHeader(webpLosslessBytes(16384, 1, true))).toEqual({
      ok: true,
      value: { format: "webp", width: 16384, height: 1, channels: 4, bitDepth: 8 },
    });
    expect(readWebpHeader(webpLosslessBytes(3, 12345, false))).toMatchObject({ ok: true, value: { width: 3, height: 12345, channels: 3 } });
  });

  it("reads an extended (VP8X) WebP's canvas size and alpha flag", () => {
    expect(readWebpHeader(webpExtendedBytes(16777216, 7, true))).toEqual({
      ok: true,
      value: { format: "webp", width: 16777216, height: 7, channels: 4, bitDepth: 8 },
    });
  });

  it("rejects truncated headers, unknown first chunks and corrupt frames", () => {
    expect(readWebpHeader(webpLossyBytes(5, 5).subarray(0, 29))).toMatchObject({
      ok: false,
      problem: "is truncated: the WebP VP8 frame header needs 30 bytes, got 29",
    });
    expect(readWebpHeader(webpLosslessBytes(5, 5, false).subarray(0, 24))).toMatchObject({ ok: false });
    expect(readWebpHeader(webpExtendedBytes(5, 5, false).subarray(0, 18))).toMatchObject({
      ok: false,
      problem: "is truncated: the WebP file and chunk header needs 20 bytes, got 18",
    });
    const unknown = concat(ascii("RIFF"), u32le(12), ascii("WEBPABCD"), u32le(0));
    expect(readWebpHeader(unknown)).toMatchObject({ ok: false, problem: "is corrupt: its first chunk is 'ABCD', not VP8, VP8L or VP8X" });
    const noStartCode = webpLossyBytes(5, 5).slice();
    noStartCode[23] = 0;
    expect(readWebpHeader(noStartCode)).toMatchObject({ ok: false, problem: "is corrupt: the VP8 start code 9d 01 2a is missing" });
    const interFrame = webpLossyBytes(5, 5).slice();
    interFrame[20] = 0x11;
    expect(readWebpHeader(interFrame)).toMatchObject({ ok: false, problem: "is corrupt: its VP8 frame is not a key frame" });
    const badSignature = webpLosslessBytes(5, 5, false).slice();
    badSignature[20] = 0;
    expect(readWebpHeader(badSignature)).toMatchObject({ ok: false, problem: "is corrupt: the VP8L signature byte 2f is missing" });
  });
});
