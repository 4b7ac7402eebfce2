import { performance } from "node:perf_hooks";

/** Options of {@link DrainRate}. */
export interface DrainRateOptions {
  /** How many of the latest departures the rate is measured over. Default 64. */
  readonly window?: number;
  /** The clock, in milliseconds. Default `performance.now`. */
  readonly now?: () => number;
}

/**
 * How fast a queue drains: the tasks that left it for a worker over the latest `window` departures, per
 * millisecond, measured up to now (so a queue that stopped draining shows a falling rate, not its last one).
 */
export class DrainRate {
  readonly #times: number[] = [];
  readonly #window: number;
  readonly #now: () => number;

  constructor(options: DrainRateOptions = {}) {
    this.#window = Math.max(2, Math.floor(options.window ?? 64));
    this.#now = options.now ?? (() => performance.now());
  }

  /** Records `count` tasks leaving the queue now. */
  record(count = 1): void {
    const at = this.#now();
    for (let i = 0; i < count; i++) this.#times.push(at);
    if (this.#times.length > this.#window) this.#times.splice(0, this.#times.length - this.#window);
  }

  /** Tasks per millisecond, or undefined before two departures at different times. */
  perMs(): number | undefined {
    const first = this.#times[0];
    if (first === undefined || this.#times.length < 2) return undefined;
    const span = this.#now() - first;
    return span > 0 ? this.#times.length / span : undefined;
  }
}

/** The bounds of a retry hint, in milliseconds. */
export const RETRY_HINT_BOUNDS = Object.freeze({ minMs: 10, maxMs: 30_000, unmeasuredMs: 1_000 });

/**
 * When a task refused now could be accepted: the time for `waiting` tasks to drain at `perMs` (the queue's
 * measured rate), within {@link RETRY_HINT_BOUNDS}; `unmeasuredMs` when no rate is known yet.
 */
export function retryAfterMs(waiting: number, perMs: number | undefined): number {
  if (perMs === undefined || !(perMs > 0)) return RETRY_HINT_BOUNDS.unmeasuredMs;
  const ms = Math.ceil(Math.max(1, waiting) / perMs);
  return Math.min(RETRY_HINT_BOUNDS.maxMs, Math.max(RETRY_HINT_BOUNDS.minMs, ms));
}
