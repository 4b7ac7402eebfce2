import type { Param } from "../layers/layer.js";

/** Settings of {@link createAdam}; the defaults are Kingma & Ba's. */
export interface AdamOptions {
  /** Step size. Default 0.001. */
  readonly learningRate?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

/** An optimiser: applies and then clears the accumulated gradients. */
export interface Optimizer {
  step(): void;
  /** Changes the step size, for example for a decay schedule. */
  setLearningRate(rate: number): void;
}

/** Creates an Adam optimiser over `params` (bias-corrected first and second moment estimates). */
export function createAdam(params: readonly Param[], options: AdamOptions = {}): Optimizer {
  let rate = options.learningRate ?? 0.001;
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  const m = params.map((p) => new Float32Array(p.grad.length));
  const v = params.map((p) => new Float32Array(p.grad.length));
  let t = 0;
  return {
    setLearningRate: (r) => {
      rate = r;
    },
    step: () => {
      t++;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      params.forEach((p, k) => {
        const mk = m[k] as Float32Array;
        const vk = v[k] as Float32Array;
        const w = p.value.data;
        for (let i = 0; i < w.length; i++) {
          const g = p.grad[i] as number;
          const mi = beta1 * (mk[i] as number) + (1 - beta1) * g;
          const vi = beta2 * (vk[i] as number) + (1 - beta2) * g * g;
          mk[i] = mi;
          vk[i] = vi;
          w[i] = (w[i] as number) - (rate * (mi / c1)) / (Math.sqrt(vi / c2) + epsilon);
        }
        p.grad.fill(0);
      });
    },
  };
}
