import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { utf8 } from "../testing/fixtures.test-support.js";
import { lineCount, stringTextStats, tokenEstimate, utf8TextStats } from "./text-stats.js";

/** Unicode White_Space, written out independently of the implementation's checks. */
const WHITE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;
const withSpaces = fc.oneof(
  fc.constantFrom(" ", "\t", "\n", "\u0085", "\u00a0", "\u2003", "\u3000", "\ufeff", "\u200b"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);

describe("TextStats", () => {
  it("counts code points, not UTF-16 units, and UTF-8 bytes", () => {
    expect(stringTextStats("naïve 🦊 日本")).toMatchObject({ codePoints: 10, words: 3, utf8Bytes: 18, hasControlCharacters: false });
  });

  it("counts runs of non-white-space as words, across Unicode white space", () => {
    expect(stringTextStats("  one\ttwo\nthree\u00a0four\u3000five\u2009six  ").words).toBe(6);
    expect(stringTextStats("").words).toBe(0);
    expect(stringTextStats(" \n\t ").words).toBe(0);
  });

  it("counts a lone surrogate as one code point of 3 UTF-8 bytes, as a protobuf encoder writes it", () => {
    expect(stringTextStats("a\ud800b")).toMatchObject({ codePoints: 3, utf8Bytes: 5, words: 1 });
  });

  it("flags C0 control characters other than white space, and DEL, as signs of binary data", () => {
    expect(stringTextStats("tab\tnew\nline\r\f").hasControlCharacters).toBe(false);
    expect(stringTextStats("nul\0").hasControlCharacters).toBe(true);
    expect(stringTextStats("esc\u001b[0m").hasControlCharacters).toBe(true);
    expect(stringTextStats("del\u007f").hasControlCharacters).toBe(true);
  });

  it("counts lines as line feeds, plus one for a last line without a line feed", () => {
    expect(lineCount(stringTextStats("one"))).toBe(1);
    expect(lineCount(stringTextStats("one\ntwo"))).toBe(2);
    expect(lineCount(stringTextStats("one\ntwo\n"))).toBe(2);
    expect(lineCount(stringTextStats("one\r\n\nthree"))).toBe(3);
    expect(lineCount(stringTextStats(""))).toBe(0);
  });

  it("estimates tokens as a quarter per ASCII character, a half per other two-byte character and one per wider character", () => {
    expect(tokenEstimate(stringTextStats("The quick brown fox"))).toBe(5);
    expect(tokenEstimate(stringTextStats("Привет"))).toBe(3);
    expect(tokenEstimate(stringTextStats("日本語"))).toBe(3);
    expect(tokenEstimate(stringTextStats("🦊a"))).toBe(2);
    expect(tokenEstimate(stringTextStats(""))).toBe(0);
  });

  it("gives the same counts for a well-formed string and its UTF-8 bytes, and the lengths the platform gives", () => {
    fc.assert(
      fc.property(fc.string({ unit: withSpaces, maxLength: 200 }), (text) => {
        const stats = stringTextStats(text);
        expect(utf8TextStats(utf8(text))).toEqual(stats);
        expect(stats.codePoints).toBe([...text].length);
        expect(stats.utf8Bytes).toBe(utf8(text).length);
        expect(stats.words).toBe(text.split(WHITE_SPACE).filter((w) => w !== "").length);
        expect(stats.lineFeeds).toBe(text.split("\n").length - 1);
      }),
      { numRuns: 500 },
    );
  });

  it("measures any UTF-16 string, lone surrogates included, as its UTF-8 encoding", () => {
    const units = fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)), maxLength: 100 });
    fc.assert(
      fc.property(units, (text) => {
        expect(stringTextStats(text).utf8Bytes).toBe(utf8(text).length);
      }),
      { numRuns: 500 },
    );
  });
});
