/** One request of a degradation run: when it was sent, which model version the decision sent it to first, whether it succeeded. */
export interface ShiftSample {
  /** Milliseconds since the run's reference moment (faults began, or the degraded version appeared). */
  readonly atMs: number;
  /** The model version the request was decided to (its first attempt), as "name@version"; "" when unknown. */
  readonly firstAttempt: string;
  readonly ok: boolean;
}

/**
 * When traffic moved away from `model` (a "name@version", or a name for any version): the first sample that starts
 * `span` consecutive samples of which at most `maxShare` went to it first, or undefined when it never did. Probes
 * keep a degraded model's share above zero, so "moved" means "down to about its probe share", not "none".
 */
export function trafficMoved(
  samples: readonly ShiftSample[],
  model: string,
  options: { readonly span: number; readonly maxShare: number },
): { readonly index: number; readonly atMs: number } | undefined {
  const matches = (sample: ShiftSample): boolean =>
    model.includes("@") ? sample.firstAttempt === model : sample.firstAttempt.split("@")[0] === model;
  let inSpan = 0;
  for (let i = 0; i < samples.length; i++) {
    if (matches(samples[i]!)) inSpan++;
    if (i >= options.span && matches(samples[i - options.span]!)) inSpan--;
    if (i >= options.span - 1 && inSpan <= options.maxShare * options.span) {
      const first = i - options.span + 1;
      return { index: first, atMs: samples[first]!.atMs };
    }
  }
  return undefined;
}
