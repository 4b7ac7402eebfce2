import { describe, expect, it } from "@jest/globals";
import { gifBytes } from "../testing/fixtures.test-support.js";
import { readGifHeader } from "./gif-header.js";

describe("readGifHeader", () => {
  it("reads the canvas size of GIF87a and GIF89a as a 3-channel palette image", () => {
    expect(readGifHeader(gifBytes({ width: 300, height: 200, tableBits: 8 }))).toEqual({
      ok: true,
      value: { format: "gif", width: 300, height: 200, channels: 3, bitDepth: 8 },
    });
    expect(readGifHeader(gifBytes({ width: 1, height: 65535, tableBits: 2, version: "87a" }))).toEqual({
      ok: true,
      value: { format: "gif", width: 1, height: 65535, channels: 3, bitDepth: 2 },
    });
  });

  it("gives a bit depth of 8 to a GIF without a global colour table", () => {
    expect(readGifHeader(gifBytes({ width: 2, height: 2 }))).toMatchObject({ ok: true, value: { bitDepth: 8 } });
  });

  it("rejects a truncated logical screen descriptor and an empty canvas", () => {
    expect(readGifHeader(gifBytes({ width: 2, height: 2 }).subarray(0, 12))).toMatchObject({
      ok: false,
      problem: "is truncated: the GIF logical screen descriptor needs 13 bytes, got 12",
    });
    expect(readGifHeader(gifBytes({ width: 0, height: 2 }))).toMatchObject({ ok: false, problem: "is corrupt: its canvas is 0×2 pixels" });
  });
});
