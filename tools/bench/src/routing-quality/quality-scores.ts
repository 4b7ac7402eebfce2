/** One request's outcome under one routing mode. */
export interface ServedAnswer {
  /** The model that answered (its name), or "" when the request failed. */
  readonly model: string;
  readonly correct: boolean;
  /** The client-measured latency of the request in milliseconds. */
  readonly latencyMs: number;
}

/** A mode's figures over the evaluation stream. */
export interface ModeFigures {
  readonly requests: number;
  readonly failed: number;
  readonly accuracy: number;
  /** Performance gap recovered: (acc − acc(best single)) / (acc(oracle) − acc(best single)). */
  readonly pgr: number;
  /** The mean compute cost of the models that answered (each model's declared cost per request). */
  readonly cost: number;
  readonly p50LatencyMs: number;
  /** The share of requests each model answered, by model name. */
  readonly shares: Readonly<Record<string, number>>;
}

/** The share of answers that are correct (a failed request counts as wrong). */
export function accuracyOf(answers: readonly ServedAnswer[]): number {
  return answers.length === 0 ? Number.NaN : answers.filter((a) => a.correct).length / answers.length;
}

/**
 * The per-request oracle's accuracy: a request counts as right when any single model answered it right. `byModel`
 * holds each single model's answers to the same requests, in the same order.
 */
export function oracleAccuracy(byModel: readonly (readonly ServedAnswer[])[]): number {
  const count = byModel[0]?.length ?? 0;
  if (count === 0) return Number.NaN;
  let right = 0;
  for (let i = 0; i < count; i++) if (byModel.some((answers) => answers[i]?.correct === true)) right++;
  return right / count;
}

/**
 * RouteLLM's performance gap recovered: how much of the distance from the best single model to the per-request
 * oracle a mode closes (1: all of it; 0: none; negative: worse than the best single model). NaN when the oracle
 * is no better than the best single model.
 */
export function performanceGapRecovered(accuracy: number, bestSingle: number, oracle: number): number {
  const gap = oracle - bestSingle;
  return gap > 0 ? (accuracy - bestSingle) / gap : Number.NaN;
}

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A mode's figures from its answers, given the best single model's and the oracle's accuracy on the same requests. */
export function modeFigures(
  answers: readonly ServedAnswer[],
  reference: { readonly bestSingle: number; readonly oracle: number },
  costOf: (model: string) => number,
): ModeFigures {
  const served = answers.filter((a) => a.model !== "");
  const counts: Record<string, number> = {};
  for (const a of served) counts[a.model] = (counts[a.model] ?? 0) + 1;
  const accuracy = accuracyOf(answers);
  return {
    requests: answers.length,
    failed: answers.length - served.length,
    accuracy,
    pgr: performanceGapRecovered(accuracy, reference.bestSingle, reference.oracle),
    cost: served.length === 0 ? Number.NaN : served.reduce((sum, a) => sum + costOf(a.model), 0) / served.length,
    p50LatencyMs: median(served.map((a) => a.latencyMs)),
    shares: Object.fromEntries(Object.entries(counts).map(([model, n]) => [model, n / answers.length])),
  };
}
