import { softmaxCrossEntropy } from "../loss/softmax-cross-entropy.js";
import type { Network } from "../layers/network.js";
import { createAdam } from "../optim/adam.js";
import type { Rng } from "../rng.js";
import { argmax, sizeOf, tensor } from "../tensor.js";

/** Model inputs and labels: `count` samples of `sampleShape` each, packed one after another. */
export interface FeatureSet {
  readonly count: number;
  readonly sampleShape: readonly number[];
  readonly inputs: Float32Array;
  readonly labels: Uint8Array;
}

/** Settings of one training run. */
export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  /** Adam step size of the first epoch. */
  readonly learningRate: number;
  /** The step size is multiplied by this after every epoch. Default 1. */
  readonly learningRateDecay?: number;
  /** Shuffles the samples before every epoch. */
  readonly rng: Rng;
  /** Called after every epoch, for progress logs. */
  readonly onEpoch?: (report: EpochReport) => void;
}

/** What one epoch did, measured on the training batches as they were seen. */
export interface EpochReport {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly learningRate: number;
  readonly seconds: number;
}

/** The outcome of {@link train}. */
export interface TrainReport {
  readonly epochs: readonly EpochReport[];
  /** Wall-clock seconds of the whole run. */
  readonly seconds: number;
}

/** Copies samples `indices` of `set` into one batch tensor. */
function gather(set: FeatureSet, indices: readonly number[]): { x: ReturnType<typeof tensor>; y: Uint8Array } {
  const size = sizeOf(set.sampleShape);
  const x = tensor([indices.length, ...set.sampleShape]);
  const y = new Uint8Array(indices.length);
  indices.forEach((sample, b) => {
    x.data.set(set.inputs.subarray(sample * size, (sample + 1) * size), b * size);
    y[b] = set.labels[sample] as number;
  });
  return { x, y };
}

/** Trains `network` in place with Adam on mini-batches of `set`, minimising softmax cross-entropy. */
export function train(network: Network, set: FeatureSet, options: TrainOptions): TrainReport {
  const started = performance.now();
  const optimizer = createAdam(network.params, { learningRate: options.learningRate });
  const order = Array.from({ length: set.count }, (_, i) => i);
  const reports: EpochReport[] = [];
  let rate = options.learningRate;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const epochStart = performance.now();
    optimizer.setLearningRate(rate);
    options.rng.shuffle(order);
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < set.count; start += options.batchSize) {
      const { x, y } = gather(set, order.slice(start, start + options.batchSize));
      const logits = network.forward(x);
      const { loss, grad } = softmaxCrossEntropy(logits, y);
      lossSum += loss * y.length;
      for (let b = 0; b < y.length; b++) if (argmax(logits.data, b * network.outputs, network.outputs) === y[b]) correct++;
      network.backward(grad);
      optimizer.step();
    }
    const report: EpochReport = {
      epoch,
      loss: lossSum / set.count,
      accuracy: correct / set.count,
      learningRate: rate,
      seconds: (performance.now() - epochStart) / 1000,
    };
    reports.push(report);
    options.onEpoch?.(report);
    rate *= options.learningRateDecay ?? 1;
  }
  return { epochs: reports, seconds: (performance.now() - started) / 1000 };
}

/** The TypeScript forward pass over a whole set, in batches: logits [count × outputs], row-major. */
export function predictLogits(network: Network, set: Pick<FeatureSet, "count" | "sampleShape" | "inputs">, batchSize = 250): Float32Array {
  const size = sizeOf(set.sampleShape);
  const out = new Float32Array(set.count * network.outputs);
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const x = tensor([n, ...set.sampleShape], set.inputs.slice(start * size, (start + n) * size));
    out.set(network.forward(x).data, start * network.outputs);
  }
  return out;
}
