import { describe, expect, it } from "@jest/globals";
import { createRandom, exponentialGap } from "./random.js";

describe("createRandom", () => {
  it("repeats its sequence for a seed, stays in [0, 1) and is roughly uniform", () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const values = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(values);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});

describe("exponentialGap", () => {
  it("has the requested mean", () => {
    const random = createRandom(1);
    const gaps = Array.from({ length: 20_000 }, () => exponentialGap(5, random));
    const mean = gaps.reduce((s, v) => s + v, 0) / gaps.length;
    expect(mean).toBeGreaterThan(4.8);
    expect(mean).toBeLessThan(5.2);
  });
});
