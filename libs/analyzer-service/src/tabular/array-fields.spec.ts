import { beforeAll, describe, expect, it } from "@jest/globals";
import { analyzePayload } from "../analyze-payload.js";
import { jsonPayload, mediaPayload, textPayload } from "../testing/analyze.test-support.js";
import { utf8 } from "../testing/fixtures.test-support.js";
import { type LanguageDetector, createLanguageDetector } from "../text/language-detector.js";

let languageDetector: LanguageDetector;
beforeAll(async () => {
  languageDetector = await createLanguageDetector();
});

const sensorRows = [
  { sensor: "accelerometer", rate_hz: 100, samples: [0.1, 0.4, -0.2, 0.3] },
  { sensor: "accelerometer", rate_hz: 100, samples: [0.2, 0.1] },
  { sensor: "gyroscope", rate_hz: 50, samples: null },
];

describe("array fields of JSON rows", () => {
  it.each([
    ["a JSON value", () => jsonPayload(sensorRows)],
    ["JSON text", () => textPayload(JSON.stringify(sensorRows))],
    ["JSON bytes", () => mediaPayload("binary", utf8(JSON.stringify(sensorRows)))],
  ])("are typed array, with the fewest and most elements over the rows that have one, from %s", (_from, payload) => {
    const { fields } = analyzePayload(payload(), {}, { languageDetector }).tabular!;
    expect(fields["samples"]).toMatchObject({ type: "array", presentCount: 2, minLength: 2, maxLength: 4, min: 0, max: 0, mean: 0 });
  });

  it("count an empty array as length 0", () => {
    const { fields } = analyzePayload(jsonPayload([{ samples: [] }, { samples: [1, 2, 3] }]), {}, { languageDetector }).tabular!;
    expect(fields["samples"]).toMatchObject({ type: "array", minLength: 0, maxLength: 3 });
  });

  it("leave the lengths of other fields at 0, so that a plain row has no array lengths", () => {
    const { fields } = analyzePayload(jsonPayload(sensorRows), {}, { languageDetector }).tabular!;
    expect(fields["rate_hz"]).toMatchObject({ type: "number", minLength: 0, maxLength: 0, min: 50, max: 100 });
    expect(fields["sensor"]).toMatchObject({ type: "string", minLength: 0, maxLength: 0 });
  });

  it("are mixed, without lengths, when some rows hold an array and others a number", () => {
    const { fields } = analyzePayload(jsonPayload([{ x: [1, 2] }, { x: 3 }]), {}, { languageDetector }).tabular!;
    expect(fields["x"]).toMatchObject({ type: "mixed", minLength: 0, maxLength: 0 });
  });
});
