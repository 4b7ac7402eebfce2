import { describe, expect, it } from "@jest/globals";
import { createRng } from "../rng.js";
import { tensor } from "../tensor.js";
import type { FeatureSet } from "../train/trainer.js";
import { createPerceptron } from "./architectures.js";
import { toBinaryLogit } from "./binary-logit.js";
import { columnStats, foldStandardisation, standardise } from "./fold-standardisation.js";

const set: FeatureSet = {
  count: 4,
  sampleShape: [3],
  inputs: Float32Array.from([1, 100, 5, 2, 300, 5, 3, 200, 5, 4, 400, 5]),
  labels: Uint8Array.from([0, 1, 0, 1]),
};

describe("columnStats and standardise", () => {
  it("give each column mean 0 and unit deviation, leaving a constant column centred with std 1", () => {
    const stats = columnStats(set);
    expect(Array.from(stats.mean)).toEqual([2.5, 250, 5]);
    expect(stats.std[2]).toBe(1);
    const out = standardise(set, stats).inputs;
    const column = (c: number): number[] => [0, 1, 2, 3].map((s) => out[s * 3 + c] as number);
    expect(column(0).reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6);
    expect(column(2)).toEqual([0, 0, 0, 0]);
  });
});

describe("foldStandardisation", () => {
  it("makes the network give on raw inputs what it gave on standardised ones", () => {
    const network = createPerceptron(createRng(3), [3], 2, { hidden: [4] });
    const stats = columnStats(set);
    const before = network.forward(tensor([4, 3], standardise(set, stats).inputs)).data.slice();
    foldStandardisation(network, stats);
    const after = network.forward(tensor([4, 3], set.inputs)).data;
    for (let i = 0; i < before.length; i++) expect(after[i]).toBeCloseTo(before[i] as number, 4);
  });
});

describe("toBinaryLogit", () => {
  it("outputs z1 − z0, whose sigmoid is the softmax probability of the second class", () => {
    const network = createPerceptron(createRng(5), [3], 2, { hidden: [] });
    const x = tensor([4, 3], set.inputs);
    const two = network.forward(x).data.slice();
    const single = toBinaryLogit(network);
    expect(single.outputs).toBe(1);
    const one = single.forward(x).data;
    for (let s = 0; s < 4; s++) {
      const z0 = two[s * 2] as number;
      const z1 = two[s * 2 + 1] as number;
      const softmax = Math.exp(z1) / (Math.exp(z0) + Math.exp(z1));
      expect(1 / (1 + Math.exp(-(one[s] as number)))).toBeCloseTo(softmax, 5);
    }
  });

  it("refuses a network without two outputs", () => {
    expect(() => toBinaryLogit(createPerceptron(createRng(1), [3], 3, { hidden: [] }))).toThrow("two outputs");
  });
});

describe("createPerceptron with sparse inputs", () => {
  it("computes what the dense layer computes, and learns the same gradients", () => {
    const dense = createPerceptron(createRng(9), [6], 3, { hidden: [4] });
    const sparse = createPerceptron(createRng(9), [6], 3, { hidden: [4], sparseInputs: true });
    const x = tensor([2, 6], Float32Array.from([0, 0.5, 0, 0, 2, 0, 1, 0, 0, 0, 0, 0.25]));
    expect(Array.from(sparse.forward(x).data)).toEqual(Array.from(dense.forward(x).data));
    const dy = tensor([2, 3], Float32Array.from([0.1, -0.2, 0.1, 0.3, 0, -0.3]));
    dense.backward(dy);
    sparse.backward(dy);
    dense.params.forEach((p, i) => expect(Array.from(sparse.params[i]?.grad ?? [])).toEqual(Array.from(p.grad)));
  });
});
