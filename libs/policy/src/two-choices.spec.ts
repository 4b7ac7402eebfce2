import { describe, expect, it } from "@jest/globals";
import { pickOfTwoChoices } from "./two-choices.js";

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe("the power of two choices", () => {
  it("has nothing to pick from no options, and picks the only one of one", () => {
    expect(pickOfTwoChoices(0, () => 0, Math.random)).toBeUndefined();
    expect(pickOfTwoChoices(1, () => 99, Math.random)).toBe(0);
  });

  it("always picks the less loaded of two options", () => {
    const random = seeded(7);
    for (let i = 0; i < 200; i++) expect(pickOfTwoChoices(2, (index) => (index === 0 ? 5 : 1), random)).toBe(1);
  });

  it("compares two distinct options, so the most loaded of many is never picked", () => {
    const random = seeded(11);
    const loads = [3, 9, 1, 4, 2];
    for (let i = 0; i < 2000; i++) expect(pickOfTwoChoices(loads.length, (index) => loads[index] ?? 0, random)).not.toBe(1);
  });

  it("draws evenly among equally loaded options", () => {
    const random = seeded(3);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[pickOfTwoChoices(4, () => 0, random) ?? 0]! += 1;
    for (const count of counts) expect(Math.abs(count / 40_000 - 0.25)).toBeLessThan(0.02);
  });

  it("keeps load spread when each pick adds load: the busiest option stays within a few requests of the idlest", () => {
    const random = seeded(5);
    const loads = new Array<number>(8).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const index = pickOfTwoChoices(loads.length, (k) => loads[k] ?? 0, random) ?? 0;
      loads[index] = (loads[index] ?? 0) + 1;
    }
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(4);
  });
});
