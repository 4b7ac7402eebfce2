import { beforeAll, describe, expect, it } from "@jest/globals";
import { type LanguageDetector, createLanguageDetector } from "./language-detector.js";

describe("createLanguageDetector (eld)", () => {
  let detector: LanguageDetector;
  beforeAll(async () => {
    detector = await createLanguageDetector();
  });

  it.each([
    ["en", "The weather is lovely today, so we are going for a walk in the park."],
    ["de", "Das Wetter ist heute schön, deshalb gehen wir im Park spazieren."],
    ["fr", "Il fait beau aujourd'hui, alors nous allons nous promener dans le parc."],
    ["es", "Hoy hace buen tiempo, así que vamos a pasear por el parque."],
    ["ru", "Сегодня хорошая погода, поэтому мы идём гулять в парк."],
    ["ja", "今日は天気が良いので、公園に散歩に行きます。"],
  ])("tells %s with a confidence between 0.5 and 1", (language, text) => {
    const guess = detector.detect(text);
    expect(guess.language).toBe(language);
    expect(guess.confidence).toBeGreaterThan(0.5);
    expect(guess.confidence).toBeLessThanOrEqual(1);
  });

  it("reports no language for text without letters, for one short word and for a tie", () => {
    expect(detector.detect("")).toEqual({ language: "", confidence: 0 });
    expect(detector.detect("123 456 !!")).toEqual({ language: "", confidence: 0 });
    expect(detector.detect("ok")).toEqual({ language: "", confidence: 0 });
    expect(detector.detect("Hello world")).toEqual({ language: "", confidence: 0 });
  });

  it("looks at the beginning of a long text only", () => {
    const text = "Das Wetter ist heute schön, deshalb gehen wir im Park spazieren. ".repeat(20) + "The weather is lovely. ".repeat(500);
    expect(detector.detect(text).language).toBe("de");
  });

  it("keeps each instance independent of others with another database", async () => {
    const small = await createLanguageDetector({ database: "extrasmall" });
    expect(small.detect("Das Wetter ist heute schön, deshalb gehen wir spazieren.").language).toBe("de");
    expect(detector.detect("Where is the train station, please?").language).toBe("en");
  });
});
