import { describe, expect, it } from "@jest/globals";
import { classificationMetrics, predictions } from "../eval/metrics.js";
import { createRng } from "../rng.js";
import { createMlp } from "../zoo/architectures.js";
import { predictLogits, train, type FeatureSet } from "./trainer.js";

/** Three Gaussian blobs in 2-D, one per class. */
function blobs(count: number, seed: number): FeatureSet {
  const rng = createRng(seed);
  const centres = [[0, 3], [3, -2], [-3, -2]] as const;
  const inputs = new Float32Array(count * 2);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % 3;
    labels[i] = c;
    inputs[i * 2] = (centres[c]?.[0] ?? 0) + rng.normal() * 0.5;
    inputs[i * 2 + 1] = (centres[c]?.[1] ?? 0) + rng.normal() * 0.5;
  }
  return { count, sampleShape: [2], inputs, labels };
}

const settings = { epochs: 20, batchSize: 16, learningRate: 0.01, learningRateDecay: 0.95 };

describe("train", () => {
  it("learns separable classes with Adam and mini-batches, and reports every epoch", () => {
    const set = blobs(300, 1);
    const network = createMlp(createRng(2), { inputs: 2, hidden: 8, outputs: 3 });
    const seen: number[] = [];
    const report = train(network, set, { ...settings, rng: createRng(3), onEpoch: (e) => seen.push(e.epoch) });
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(report.epochs[19]?.loss).toBeLessThan(report.epochs[0]?.loss ?? 0);
    const test = blobs(90, 4);
    const metrics = classificationMetrics(predictions(predictLogits(network, test), 3), test.labels, 3);
    expect(metrics.accuracy).toBe(1);
  });

  it("gives bit-identical weights when rerun with the same seeds", () => {
    const run = (): Float32Array[] => {
      const network = createMlp(createRng(2), { inputs: 2, hidden: 8, outputs: 3 });
      train(network, blobs(120, 1), { ...settings, epochs: 3, rng: createRng(3) });
      return network.params.map((p) => p.value.data);
    };
    expect(run()).toEqual(run());
  });
});
