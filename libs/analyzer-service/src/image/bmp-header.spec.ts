import { describe, expect, it } from "@jest/globals";
import { readBmpHeader } from "./bmp-header.js";
import { ascii, bmpBytes } from "../testing/fixtures.test-support.js";

describe("readBmpHeader", () => {
  it.each([
    [1, 3, 1],
    [4, 3, 4],
    [8, 3, 8],
    [16, 3, 5],
    [24, 3, 8],
    [32, 3, 8],
  ])("reads a %i-bit BITMAPINFOHEADER image as %i channels of %i bits", (bitsPerPixel, channels, bitDepth) => {
    expect(readBmpHeader(bmpBytes({ width: 640, height: 480, bitsPerPixel }))).toEqual({
      ok: true,
      value: { format: "bmp", width: 640, height: 480, channels, bitDepth },
    });
  });

  it("counts 4 channels for a 32-bit image that declares an alpha mask (V4, V5 or BI_ALPHABITFIELDS)", () => {
    for (const dibSize of [40, 108, 124] as const) {
      const bytes = bmpBytes({ width: 2, height: 2, bitsPerPixel: 32, dibSize, alphaMask: 0xff000000 });
      expect(readBmpHeader(bytes)).toMatchObject({ ok: true, value: { channels: 4 } });
    }
    expect(readBmpHeader(bmpBytes({ width: 2, height: 2, bitsPerPixel: 32, dibSize: 124 }))).toMatchObject({
      ok: true,
      value: { channels: 3 },
    });
  });

  it("reads a top-down image (negative height) and an OS/2 BITMAPCOREHEADER", () => {
    expect(readBmpHeader(bmpBytes({ width: 10, height: -20, bitsPerPixel: 24 }))).toMatchObject({ ok: true, value: { width: 10, height: 20 } });
    expect(readBmpHeader(bmpBytes({ width: 10, height: 20, bitsPerPixel: 8, dibSize: 12 }))).toMatchObject({
      ok: true,
      value: { width: 10, height: 20, channels: 3, bitDepth: 8 },
    });
  });

  it("rejects truncated headers and impossible fields", () => {
    expect(readBmpHeader(bmpBytes({ width: 1, height: 1, bitsPerPixel: 24 }).subarray(0, 30))).toMatchObject({
      ok: false,
      problem: "is truncated: the BMP file and DIB header needs 34 bytes, got 30",
    });
    expect(readBmpHeader(bmpBytes({ width: 0, height: 1, bitsPerPixel: 24 }))).toMatchObject({ ok: false, problem: "is corrupt: its size is 0×1 pixels" });
    expect(readBmpHeader(bmpBytes({ width: 1, height: 1, bitsPerPixel: 2 }))).toMatchObject({
      ok: false,
      problem: "is not supported: 2 bits per pixel (recognised: 1, 4, 8, 16, 24, 32)",
    });
    const planes = bmpBytes({ width: 1, height: 1, bitsPerPixel: 24 }).slice();
    planes[26] = 3;
    expect(readBmpHeader(planes)).toMatchObject({ ok: false, problem: "is corrupt: it has 3 colour planes instead of 1" });
  });

  it("does not take text that starts with BM for a bitmap", () => {
    expect(readBmpHeader(ascii("BMW and other cars"))).toMatchObject({ ok: false });
  });
});
