import { describe, expect, it } from "@jest/globals";
import { createRng } from "./rng.js";

describe("createRng (mulberry32)", () => {
  it("gives the same sequence for the same seed and a different one for another seed", () => {
    const draw = (seed: number): number[] => {
      const rng = createRng(seed);
      return Array.from({ length: 5 }, () => rng.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it("draws uniform values in [0, 1) and standard normals with mean ≈ 0 and deviation ≈ 1", () => {
    const rng = createRng(7);
    const uniform = Array.from({ length: 10_000 }, () => rng.next());
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniform)).toBeLessThan(1);
    const normal = Array.from({ length: 10_000 }, () => rng.normal());
    const mean = normal.reduce((a, b) => a + b, 0) / normal.length;
    const sd = Math.sqrt(normal.reduce((a, b) => a + (b - mean) ** 2, 0) / normal.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);
  });

  it("shuffles into a permutation of the input", () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const shuffled = createRng(1).shuffle([...items]);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
  });
});
