import type { Network } from "../layers/network.js";
import { createRng } from "../rng.js";

/** Options of {@link degradeNetwork}. */
export interface DegradeOptions {
  /** The trained network; it is not changed. */
  readonly base: Network;
  /** A fresh network of the same architecture, which receives the perturbed weights. */
  readonly target: Network;
  readonly noiseSeed: number;
  /** The accuracy to lose, as a fraction (0.10 = ten points). */
  readonly targetDrop: number;
  /** Accuracy (0–1) of a network on the set used to calibrate the noise. */
  readonly accuracy: (network: Network) => number;
}

/** The outcome of {@link degradeNetwork}. */
export interface Degradation {
  /** Noise scale relative to each tensor's standard deviation. */
  readonly sigma: number;
  readonly accuracyBefore: number;
  readonly accuracyAfter: number;
}

function std(values: Float32Array): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

/**
 * Writes into `target` the weights of `base` plus seeded Gaussian noise: w + σ · std(tensor) · ε, one fixed
 * ε ~ N(0, 1) draw per weight. σ is found by bisection so that the accuracy drop on the calibration set is
 * as close as possible to `targetDrop` (the noise direction is fixed, so only its size is searched).
 */
export function degradeNetwork({ base, target, noiseSeed, targetDrop, accuracy }: DegradeOptions): Degradation {
  const rng = createRng(noiseSeed);
  const noise = base.params.map((p) => Float32Array.from(p.value.data, () => rng.normal()));
  const scales = base.params.map((p) => std(p.value.data));
  const apply = (sigma: number): void => {
    base.params.forEach((p, k) => {
      const out = target.params[k]?.value.data;
      const eps = noise[k] as Float32Array;
      if (out === undefined || out.length !== p.value.data.length) throw new Error("degrade: architectures differ");
      for (let i = 0; i < out.length; i++) out[i] = (p.value.data[i] as number) + sigma * (scales[k] as number) * (eps[i] as number);
    });
  };
  const before = accuracy(base);
  const dropAt = (sigma: number): number => {
    apply(sigma);
    return before - accuracy(target);
  };
  let lo = 0;
  let hi = 0.25;
  while (dropAt(hi) < targetDrop && hi < 64) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 12; i++) {
    const mid = (lo + hi) / 2;
    if (dropAt(mid) < targetDrop) lo = mid;
    else hi = mid;
  }
  const sigma = Math.abs(dropAt(lo) - targetDrop) < Math.abs(dropAt(hi) - targetDrop) ? lo : hi;
  apply(sigma);
  return { sigma, accuracyBefore: before, accuracyAfter: accuracy(target) };
}
