import { describe, expect, it } from "@jest/globals";
import { seededSplit } from "./split.js";

describe("seededSplit", () => {
  it("splits every index exactly once, test first, and the same way for the same seed", () => {
    const split = seededSplit(100, 30, 9);
    expect(split.test).toHaveLength(30);
    expect(split.train).toHaveLength(70);
    expect([...split.test, ...split.train].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(seededSplit(100, 30, 9)).toEqual(split);
    expect(seededSplit(100, 30, 10).test).not.toEqual(split.test);
  });
});
