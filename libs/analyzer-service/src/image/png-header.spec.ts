import { describe, expect, it } from "@jest/globals";
import { concat, pngBytes, pngHeaderBytes } from "../testing/fixtures.test-support.js";
import { readPngHeader } from "./png-header.js";

describe("readPngHeader", () => {
  it.each([
    { colorType: 0, bitDepth: 8, channels: 1 },
    { colorType: 0, bitDepth: 16, channels: 1 },
    { colorType: 2, bitDepth: 8, channels: 3 },
    { colorType: 4, bitDepth: 8, channels: 2 },
    { colorType: 6, bitDepth: 8, channels: 4 },
    { colorType: 6, bitDepth: 16, channels: 4 },
  ] as const)("reads width, height, bit depth and channels of a pngjs PNG (colour type $colorType, $bitDepth bits)", ({ colorType, bitDepth, channels }) => {
    const bytes = pngBytes({ width: 28, height: 17, colorType, bitDepth });
    expect(readPngHeader(bytes)).toEqual({ ok: true, value: { format: "png", width: 28, height: 17, channels, bitDepth } });
  });

  it("counts a palette image as 3 channels with the index bit depth", () => {
    const bytes = pngHeaderBytes({ width: 640, height: 480, bitDepth: 4, colourType: 3 });
    expect(readPngHeader(bytes)).toEqual({ ok: true, value: { format: "png", width: 640, height: 480, channels: 3, bitDepth: 4 } });
  });

  it("reads the largest dimensions PNG allows", () => {
    const bytes = pngHeaderBytes({ width: 0x7fffffff, height: 1, bitDepth: 1, colourType: 0, interlace: 1 });
    expect(readPngHeader(bytes)).toMatchObject({ ok: true, value: { width: 0x7fffffff, height: 1 } });
  });

  it("rejects bytes cut anywhere inside the signature or IHDR chunk as truncated", () => {
    const bytes = pngBytes({ width: 4, height: 4 });
    for (let length = 8; length < 33; length++) {
      expect(readPngHeader(bytes.subarray(0, length))).toMatchObject({
        ok: false,
        problem: `is truncated: the PNG signature and IHDR chunk needs 33 bytes, got ${length}`,
      });
    }
  });

  it("rejects bytes without the PNG signature", () => {
    expect(readPngHeader(Uint8Array.of(0x89, 0x50, 0x4e, 0x47))).toMatchObject({ ok: false, problem: expect.stringContaining("signature") });
  });

  it("rejects a header whose CRC does not match, naming the IHDR chunk", () => {
    const bytes = pngBytes({ width: 4, height: 4 }).slice();
    bytes[17] = bytes[17]! ^ 0x01;
    expect(readPngHeader(bytes)).toMatchObject({ ok: false, problem: "is corrupt: the IHDR chunk's CRC does not match" });
  });

  it("rejects a first chunk that is not IHDR", () => {
    const bytes = pngBytes({ width: 4, height: 4 }).slice();
    bytes.set([0x49, 0x44, 0x41, 0x54], 12);
    expect(readPngHeader(bytes)).toMatchObject({ ok: false, problem: "is corrupt: the first chunk is not IHDR" });
  });

  it("rejects an IHDR chunk of the wrong length", () => {
    const bytes = pngBytes({ width: 4, height: 4 }).slice();
    bytes[11] = 14;
    expect(readPngHeader(bytes)).toMatchObject({ ok: false, problem: "is corrupt: the IHDR chunk is 14 bytes long instead of 13" });
  });

  it.each([
    [{ width: 0, height: 5, bitDepth: 8, colourType: 2 }, "its size 0×5 is outside 1..2147483647 pixels"],
    [{ width: 5, height: 0x80000000, bitDepth: 8, colourType: 2 }, "its size 5×2147483648 is outside 1..2147483647 pixels"],
    [{ width: 5, height: 5, bitDepth: 8, colourType: 5 }, "colour type 5 is not 0, 2, 3, 4 or 6"],
    [{ width: 5, height: 5, bitDepth: 4, colourType: 2 }, "bit depth 4 is not allowed for truecolour (allowed: 8, 16)"],
    [{ width: 5, height: 5, bitDepth: 16, colourType: 3 }, "bit depth 16 is not allowed for indexed-colour (allowed: 1, 2, 4, 8)"],
    [{ width: 5, height: 5, bitDepth: 8, colourType: 2, compression: 1 }, "compression method 1 is not 0"],
    [{ width: 5, height: 5, bitDepth: 8, colourType: 2, filter: 2 }, "filter method 2 is not 0"],
    [{ width: 5, height: 5, bitDepth: 8, colourType: 2, interlace: 2 }, "interlace method 2 is not 0 or 1"],
  ])("rejects an IHDR that breaks the PNG specification: %j", (ihdr, problem) => {
    expect(readPngHeader(pngHeaderBytes(ihdr))).toMatchObject({ ok: false, problem: `is corrupt: ${problem}` });
  });

  it("does not look past the IHDR chunk", () => {
    const header = pngHeaderBytes({ width: 3, height: 2, bitDepth: 8, colourType: 0 }).subarray(0, 33);
    expect(readPngHeader(concat(header, [0xde, 0xad]))).toMatchObject({ ok: true, value: { width: 3, height: 2 } });
  });
});
