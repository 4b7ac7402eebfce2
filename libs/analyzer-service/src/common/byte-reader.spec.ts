import { describe, expect, it } from "@jest/globals";
import { asciiTag, hasTag, hexPreview, i32le, u16be, u16le, u24le, u32be, u32le, u8 } from "./byte-reader.js";

describe("byte readers", () => {
  const bytes = Uint8Array.of(0x01, 0x02, 0x03, 0x84, 0x41, 0x42);

  it("read integers in both byte orders", () => {
    expect(u8(bytes, 3)).toBe(0x84);
    expect(u16be(bytes, 0)).toBe(0x0102);
    expect(u16le(bytes, 0)).toBe(0x0201);
    expect(u24le(bytes, 0)).toBe(0x030201);
    expect(u32be(bytes, 0)).toBe(0x01020384);
    expect(u32le(bytes, 0)).toBe(0x84030201);
    expect(i32le(bytes, 0)).toBe(0x84030201 - 2 ** 32);
  });

  it("throw a RangeError (a bug, never a domain error) for a read past either end", () => {
    expect(() => u8(bytes, 6)).toThrow(RangeError);
    expect(() => u16be(bytes, 5)).toThrow("read of 2 bytes at offset 5 is past the end (length 6)");
    expect(() => u32le(bytes, 3)).toThrow(RangeError);
    expect(() => u8(bytes, -1)).toThrow(RangeError);
    expect(() => asciiTag(bytes, 4, 3)).toThrow(RangeError);
  });

  it("match tags without reading past the end", () => {
    expect(hasTag(bytes, 4, "AB")).toBe(true);
    expect(hasTag(bytes, 4, "ABC")).toBe(false);
    expect(hasTag(bytes, 0, [1, 2])).toBe(true);
    expect(asciiTag(bytes, 2, 4)).toBe("??AB");
  });

  it("preview the first bytes in hex", () => {
    expect(hexPreview(bytes, 4)).toBe("01 02 03 84 …");
    expect(hexPreview(bytes)).toBe("01 02 03 84 41 42");
  });
});
