import { describe, expect, it } from "@jest/globals";
import { type DomainError, ErrorReason, Violations, invalidField, isDomainError } from "./index.js";

describe("Violations", () => {
  it("does nothing when no field is wrong", () => {
    expect(() => new Violations().throwIfAny("bad")).not.toThrow();
  });

  it("reports every wrong field at once, in the message and in the details", () => {
    const v = new Violations().add("name", "is required").add("version", "must be at most 63 characters");
    let thrown: unknown;
    try {
      v.throwIfAny("the model is invalid");
    } catch (error) {
      thrown = error;
    }
    expect(isDomainError(thrown)).toBe(true);
    const error = thrown as DomainError;
    expect(error.reason).toBe(ErrorReason.INVALID_FIELD);
    expect(error.message).toBe("the model is invalid: name: is required; version: must be at most 63 characters");
    expect(error.violations.map((x) => x.field)).toEqual(["name", "version"]);
    expect(error.metadata).toEqual({ fields: "name,version" });
  });

  it("nests violations of a part under the part's path", () => {
    const inner = new Violations().add("width", "must be positive").add("[2]", "is empty");
    const outer = new Violations().addAll("backend.onnx", inner.items);
    expect(outer.items.map((x) => x.field)).toEqual(["backend.onnx.width", "backend.onnx[2]"]);
  });
});

describe("isDomainError", () => {
  it("recognises domain errors and nothing else", () => {
    expect(isDomainError(invalidField("a", "b"))).toBe(true);
    expect(isDomainError(new Error("x"))).toBe(false);
    expect(isDomainError("x")).toBe(false);
  });
});
