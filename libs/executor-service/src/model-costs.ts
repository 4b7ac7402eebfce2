/** The weight of the newest run in a model's moving average of run times. */
const ALPHA = 0.1;

/** How long each model's runs take, as a moving average per model key, and how many were measured. */
export class ModelCosts {
  readonly #costs = new Map<string, { runs: number; averageMs: number }>();

  /** Adds one run of the model `key` that took `ms` (load, pre-processing, run and post-processing). */
  observe(key: string, ms: number): void {
    const cost = this.#costs.get(key);
    if (cost === undefined) this.#costs.set(key, { runs: 1, averageMs: ms });
    else {
      cost.runs += 1;
      cost.averageMs += ALPHA * (ms - cost.averageMs);
    }
  }

  /** True when at least `minRuns` runs of `key` were measured and their moving average is under `belowMs`. */
  cheap(key: string, belowMs: number, minRuns: number): boolean {
    const cost = this.#costs.get(key);
    return cost !== undefined && cost.runs >= minRuns && cost.averageMs < belowMs;
  }

  /** Forgets the models whose key starts with `prefix` (a version that was unloaded). */
  forget(prefix: string): void {
    for (const key of [...this.#costs.keys()]) if (key.startsWith(prefix)) this.#costs.delete(key);
  }
}
