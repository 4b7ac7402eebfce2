import { create, fromJson, type JsonValue, toJsonString } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { utf8 } from "../testing/fixtures.test-support.js";
import { jsonValueSize } from "./json-size.js";

describe("jsonValueSize", () => {
  it("equals the UTF-8 length of the value's compact JSON text, for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        const value = fromJson(ValueSchema, json as JsonValue);
        expect(jsonValueSize(value)).toBe(utf8(toJsonString(ValueSchema, value)).length);
      }),
      { numRuns: 500 },
    );
  });

  it("counts escapes as JSON.stringify writes them, lone surrogates included", () => {
    for (const text of ["\u0000\u0008\u001f", "\ud800x\udfff", 'q"\\/', "\u2028"]) {
      const value = create(ValueSchema, { kind: { case: "stringValue", value: text } });
      expect(jsonValueSize(value)).toBe(utf8(JSON.stringify(text)).length);
    }
  });

  it("walks deep nesting without recursion", () => {
    let value = create(ValueSchema, { kind: { case: "nullValue", value: 0 } });
    for (let i = 0; i < 100_000; i++) value = create(ValueSchema, { kind: { case: "listValue", value: { values: [value] } } });
    expect(jsonValueSize(value)).toBe(200_004);
  });
});
