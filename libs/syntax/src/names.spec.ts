import { describe, expect, it } from "@jest/globals";
import { resourceNameProblem, versionProblem } from "./names.js";

describe("resource names", () => {
  it.each(["a", "digits-general", "m1", "a".repeat(63)])("accepts %j", (name) => {
    expect(resourceNameProblem(name, "model")).toBeUndefined();
  });

  it.each(["", "Digits", "1digits", "digits-", "di_gits", "a".repeat(64), "ünï"])("refuses %j, saying how to fix it", (name) => {
    expect(resourceNameProblem(name, "policy", "digits")).toMatch(/policy|name/);
  });

  it("clips a huge name in the message", () => {
    expect(resourceNameProblem("X".repeat(10_000), "model")!.length).toBeLessThan(400);
  });
});

describe("model versions", () => {
  it.each(["1", "2024-06-01", "v1.2_rc-3", "A".repeat(63)])("accepts %j", (version) => {
    expect(versionProblem(version)).toBeUndefined();
  });

  it.each(["", "-1", ".1", "_x", "1 2", "a/b", "A".repeat(64)])("refuses %j (every service agrees: -1 is not a version)", (version) => {
    expect(versionProblem(version)).toBeDefined();
  });
});
