/**
 * The most tasks the pool held at once (running and waiting) in the current window and the one before it: a
 * peak of one means no two tasks overlapped lately, the low load at which a hand-off to a worker costs more
 * than it saves.
 */
export class RecentPeak {
  readonly #windowMs: number;
  #windowStart = Number.NEGATIVE_INFINITY;
  #current = 0;
  #previous = 0;

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** Records that the pool holds `tasks` at `now` (ms). */
  observe(tasks: number, now: number): void {
    if (now - this.#windowStart >= this.#windowMs) {
      // A window with nothing observed in it counts as idle.
      this.#previous = now - this.#windowStart >= 2 * this.#windowMs ? 0 : this.#current;
      this.#current = 0;
      this.#windowStart = now;
    }
    if (tasks > this.#current) this.#current = tasks;
  }

  /** The peak over the current and the previous window. */
  get peak(): number {
    return Math.max(this.#current, this.#previous);
  }
}
