import { create } from "@bufbuild/protobuf";
import { type Value, ValueSchema } from "@bufbuild/protobuf/wkt";
import { beforeAll, describe, expect, it } from "@jest/globals";
import { Modality, PayloadSchema } from "@modelrouter/contracts";
import { analyzePayload } from "../analyze-payload.js";
import { jsonPayload, mediaPayload, textPayload, violationsOf } from "../testing/analyze.test-support.js";
import { utf8 } from "../testing/fixtures.test-support.js";
import { type LanguageDetector, createLanguageDetector } from "../text/language-detector.js";

let languageDetector: LanguageDetector;
beforeAll(async () => {
  languageDetector = await createLanguageDetector({ database: "extrasmall" });
});

const analyze = (payload: Parameters<typeof analyzePayload>[0]) => analyzePayload(payload, {}, { languageDetector });

/** A row `{"a": {"a": … {"a": 1}}}` whose objects nest `depth` levels deep, the row included. */
function nestedRow(depth: number): Record<string, unknown> {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value as Record<string, unknown>;
}

/** A `google.protobuf.Value` of `depth` nested lists around null, built without recursion. */
function nestedLists(depth: number): Value {
  let value = create(ValueSchema, { kind: { case: "nullValue", value: 0 } });
  for (let i = 0; i < depth; i++) value = create(ValueSchema, { kind: { case: "listValue", value: { values: [value] } } });
  return value;
}

describe("JSON payloads nested too deeply", () => {
  it("takes a value nested 32 levels deep", () => {
    expect(analyze(jsonPayload(nestedRow(32) as never)).tabular?.rowCount).toBe(1);
  });

  it("refuses a value nested 33 levels deep, naming the first object too deep and the limit", () => {
    expect(violationsOf(() => analyze(jsonPayload([{ x: 1 }, nestedRow(33)] as never)))).toEqual([
      {
        field: `payload.json[1]${".a".repeat(31)}`,
        description: "is nested 33 levels deep; JSON payloads may nest objects and lists 32 levels deep at most: flatten it",
      },
    ]);
  });

  it("refuses 100,000 nested lists with INVALID_FIELD, looking no deeper than the limit (no stack overflow)", () => {
    const payload = create(PayloadSchema, { kind: { case: "json", value: nestedLists(100_000) } });
    expect(violationsOf(() => analyze(payload))).toEqual([
      { field: `payload.json${"[0]".repeat(32)}`, description: expect.stringMatching(/^is nested 33 levels deep/) },
    ]);
  });

  it("keeps text that looks like JSON nested a million levels deep as text, with a warning, without parsing it", () => {
    const text = '{"a":'.repeat(1_000_000) + "1" + "}".repeat(1_000_000);
    const profile = analyze(textPayload(text));
    expect(profile.modality).toBe(Modality.TEXT);
    expect(profile.warnings).toEqual([
      "payload.text: the text looks like JSON nested more than 32 levels deep, more than a table is analysed; profiled as text",
    ]);
    const bytes = analyze(mediaPayload("binary", utf8("[".repeat(1_000_000) + "]".repeat(1_000_000))));
    expect(bytes.modality).toBe(Modality.TEXT);
    expect(bytes.warnings).toEqual([
      "payload.binary: the bytes are UTF-8 text that looks like JSON nested more than 32 levels deep, more than a table is analysed; profiled as text",
    ]);
  });

  it("counts brackets inside strings as text, not nesting", () => {
    const row = JSON.stringify({ note: "[".repeat(100) + "{".repeat(100) });
    expect(analyze(textPayload(row)).modality).toBe(Modality.TABULAR);
  });
});
