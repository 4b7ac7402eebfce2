/**
 * A one-dimensional posterior of an arm's reward: its density, distribution function and the interval that
 * holds all but a negligible share of its mass.
 */
export interface RewardPosterior {
  readonly mean: number;
  readonly sd: number;
  /** Where the density is not negligible: [lower, upper]. */
  readonly lower: number;
  readonly upper: number;
  density(x: number): number;
  cdf(x: number): number;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The continued fraction of the regularised incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-14) break;
  }
  return h;
}

/**
 * The regularised incomplete beta function I_x(a, b): the distribution function of Beta(a, b) at x.
 * `logNorm` is ln Γ(a+b) − ln Γ(a) − ln Γ(b), computed when not given.
 */
export function betaCdf(x: number, a: number, b: number, logNorm = logGamma(a + b) - logGamma(a) - logGamma(b)): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logNorm + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** The Beta(a, b) posterior (a, b > 0), on [0, 1]. */
export function betaPosterior(a: number, b: number): RewardPosterior {
  const mean = a / (a + b);
  const sd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
  const logNorm = logGamma(a + b) - logGamma(a) - logGamma(b);
  return {
    mean,
    sd,
    lower: Math.max(0, mean - 12 * sd),
    upper: Math.min(1, mean + 12 * sd),
    density: (x) => {
      if (x < 0 || x > 1) return 0;
      let log = logNorm;
      if (a !== 1) log = x === 0 ? Number.NEGATIVE_INFINITY : log + (a - 1) * Math.log(x);
      if (b !== 1) log = x === 1 ? Number.NEGATIVE_INFINITY : log + (b - 1) * Math.log(1 - x);
      return Math.exp(log);
    },
    cdf: (x) => betaCdf(x, a, b, logNorm),
  };
}

/** erfc(x) (Numerical Recipes' Chebyshev fit; relative error below 1.2e-7 everywhere). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** The standard normal distribution function Φ(z). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** The N(mean, sd²) posterior (sd > 0). */
export function normalPosterior(mean: number, sd: number): RewardPosterior {
  const scale = 1 / (sd * Math.sqrt(2 * Math.PI));
  return {
    mean,
    sd,
    lower: mean - 9 * sd,
    upper: mean + 9 * sd,
    density: (x) => scale * Math.exp(-0.5 * ((x - mean) / sd) ** 2),
    cdf: (x) => normalCdf((x - mean) / sd),
  };
}

/** Simpson intervals per arm: the error of each probability is far below 1e-3 (see bandit-probabilities.spec). */
const INTERVALS = 400;

/**
 * The probability that each arm's reward is the highest when every arm's reward is drawn independently from its
 * posterior: P(i best) = ∫ f_i(x) Π_{j≠i} F_j(x) dx, by Simpson's rule over arm i's own interval of non-negligible
 * density, so a narrow posterior is integrated as finely as a wide one. Normalised to sum to 1 (the raw sums
 * differ from 1 only by the quadrature error). Deterministic: the same posteriors give the same probabilities.
 */
export function probabilitiesOfBest(arms: readonly RewardPosterior[]): number[] {
  if (arms.length === 1) return [1];
  const raw = arms.map((arm, i) => {
    const h = (arm.upper - arm.lower) / INTERVALS;
    if (!(h > 0)) return 0;
    let sum = 0;
    for (let k = 0; k <= INTERVALS; k++) {
      const x = arm.lower + k * h;
      let value = arm.density(x);
      for (let j = 0; j < arms.length && value > 0; j++) if (j !== i) value *= (arms[j] as RewardPosterior).cdf(x);
      sum += (k === 0 || k === INTERVALS ? 1 : k % 2 === 1 ? 4 : 2) * value;
    }
    return (sum * h) / 3;
  });
  const total = raw.reduce((s, p) => s + p, 0);
  return total > 0 ? raw.map((p) => p / total) : arms.map(() => 1 / arms.length);
}
