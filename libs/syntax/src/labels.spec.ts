import { describe, expect, it } from "@jest/globals";
import { labelKeyProblem, labelValueProblem } from "./labels.js";

describe("label keys", () => {
  it.each(["domain", "example.com/tier", "a.b_c-d", "A1"])("accepts %j", (key) => {
    expect(labelKeyProblem(key)).toBeUndefined();
  });

  it.each([
    ["", /required/],
    ["-x", /not a valid label key/],
    ["Example.com/x", /prefix/],
    ["/x", /prefix/],
    ["x/", /not a valid label key/],
    ["a".repeat(64), /not a valid label key/],
  ])("refuses %j", (key, message) => {
    expect(labelKeyProblem(key)).toMatch(message);
  });
});

describe("label values", () => {
  it.each(["", "digits", "v1.2", "a".repeat(63)])("accepts %j", (value) => {
    expect(labelValueProblem(value)).toBeUndefined();
  });

  it.each(["-", "a b", "a".repeat(64), "x/"])("refuses %j", (value) => {
    expect(labelValueProblem(value)).toMatch(/not a valid label value/);
  });
});
