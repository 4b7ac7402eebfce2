import { describe, expect, it } from "@jest/globals";
import { classificationMetrics, predictions } from "../eval/metrics.js";
import type { Network } from "../layers/network.js";
import { createRng } from "../rng.js";
import { predictLogits, train, type FeatureSet } from "../train/trainer.js";
import { createMlp } from "./architectures.js";
import { degradeNetwork } from "./degrade.js";
import { foldInputScale, scaleInputs } from "./fold-input-scale.js";

function blobs(count: number): FeatureSet {
  const rng = createRng(8);
  const inputs = new Float32Array(count * 4);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 4;
    for (let d = 0; d < 4; d++) inputs[i * 4 + d] = (d === i % 4 ? 2 : 0) + rng.normal() * 0.6;
  }
  return { count, sampleShape: [4], inputs, labels };
}

const accuracyOn = (set: FeatureSet) => (n: Network) =>
  classificationMetrics(predictions(predictLogits(n, set), 4), set.labels, 4).accuracy;

describe("degradeNetwork", () => {
  it("adds seeded noise whose size makes the network lose about the target accuracy, leaving the base intact", () => {
    const set = blobs(800);
    const base = createMlp(createRng(1), { inputs: 4, hidden: 16, outputs: 4 });
    train(base, set, { epochs: 10, batchSize: 32, learningRate: 0.01, rng: createRng(2) });
    const before = base.params.map((p) => Float32Array.from(p.value.data));
    const target = createMlp(createRng(0), { inputs: 4, hidden: 16, outputs: 4 });
    const result = degradeNetwork({ base, target, noiseSeed: 3, targetDrop: 0.2, accuracy: accuracyOn(set) });
    expect(result.accuracyBefore - result.accuracyAfter).toBeGreaterThan(0.15);
    expect(result.accuracyBefore - result.accuracyAfter).toBeLessThan(0.25);
    expect(base.params.map((p) => p.value.data)).toEqual(before);
    const again = createMlp(createRng(0), { inputs: 4, hidden: 16, outputs: 4 });
    degradeNetwork({ base, target: again, noiseSeed: 3, targetDrop: 0.2, accuracy: accuracyOn(set) });
    expect(again.params.map((p) => p.value.data)).toEqual(target.params.map((p) => p.value.data));
  });
});

describe("foldInputScale", () => {
  it("makes a network trained on scaled inputs give the same logits on unscaled ones", () => {
    const set = blobs(20);
    const net = createMlp(createRng(1), { inputs: 4, hidden: 5, outputs: 4 });
    const scaled = predictLogits(net, { ...set, inputs: scaleInputs(set.inputs, 1 / 16) });
    foldInputScale(net, 1 / 16);
    const folded = predictLogits(net, set);
    folded.forEach((v, i) => expect(v).toBeCloseTo(scaled[i] as number, 5));
  });
});
