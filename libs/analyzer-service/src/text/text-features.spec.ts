import { beforeAll, describe, expect, it } from "@jest/globals";
import { analyzePayload } from "../analyze-payload.js";
import { mediaPayload, textPayload } from "../testing/analyze.test-support.js";
import { utf8 } from "../testing/fixtures.test-support.js";
import { type LanguageDetector, createLanguageDetector } from "./language-detector.js";

let languageDetector: LanguageDetector;
beforeAll(async () => {
  languageDetector = await createLanguageDetector();
});

const textOf = (text: string) => analyzePayload(textPayload(text), {}, { languageDetector }).text!;
const bytesOf = (text: string) => analyzePayload(mediaPayload("binary", utf8(text)), {}, { languageDetector }).text!;

describe("a text's script", () => {
  it.each([
    ["The weather is lovely today.", "Latin"],
    ["Über den Wolken muss die Freiheit wohl grenzenlos sein.", "Latin"],
    ["Сегодня прекрасная погода.", "Cyrillic"],
    ["Σήμερα ο καιρός είναι υπέροχος.", "Greek"],
    ["الطقس جميل اليوم", "Arabic"],
    ["היום מזג האוויר יפה", "Hebrew"],
    ["आज मौसम बहुत अच्छा है", "Devanagari"],
    ["今天天气很好", "Han"],
    ["오늘 날씨가 좋네요", "Hangul"],
    ["วันนี้อากาศดีมาก", "Thai"],
  ])("of %j is %s", (text, script) => {
    expect(textOf(text).script).toBe(script);
    expect(bytesOf(text).script).toBe(script);
  });

  it("is the script of most letters, ignoring digits, punctuation and emoji", () => {
    expect(textOf("Model 3000: Привет, мир! 🦊🦊🦊🦊").script).toBe("Cyrillic");
  });

  it("is empty when there is no letter", () => {
    expect(textOf("12345 -- 🦊 !!").script).toBe("");
  });
});

describe("a text's token estimate", () => {
  it("is about a token per four characters of English", () => {
    const sentence = "The quick brown fox jumps over the lazy dog.";
    expect(textOf(sentence).tokenEstimate).toBe(Math.ceil(sentence.length / 4));
  });

  it("counts a token per CJK character and half a token per Cyrillic letter", () => {
    expect(textOf("今天天气很好").tokenEstimate).toBe(6);
    expect(textOf("Привет").tokenEstimate).toBe(3);
  });

  it("is the same for a string and for its UTF-8 bytes", () => {
    const text = "Ünïcödé, ελληνικά, 日本語 and emoji 🦊\nline two";
    expect(bytesOf(text).tokenEstimate).toBe(textOf(text).tokenEstimate);
  });
});

describe("a text's line count", () => {
  it("counts line feeds, plus the last line when it has none", () => {
    expect(textOf("one line").lineCount).toBe(1);
    expect(textOf("one\ntwo\r\nthree").lineCount).toBe(3);
    expect(textOf("one\ntwo\n").lineCount).toBe(2);
    expect(bytesOf("one\ntwo\n\nfour").lineCount).toBe(4);
  });
});
