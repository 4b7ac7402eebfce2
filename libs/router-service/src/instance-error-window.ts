/** The attempts on one instance over a sliding window, for the breaker's error rate. */
export interface ErrorWindow {
  /** Counts one attempt at `at` (epoch ms). */
  add(failed: boolean, at: number): void;
  /** Attempts and failures within the window ending at `at`. */
  totals(at: number): { readonly attempts: number; readonly failures: number };
  /** Forgets every attempt. */
  clear(): void;
}

const BUCKETS = 10;

/**
 * Creates an {@link ErrorWindow} of `windowMs`, kept in ten buckets (memory bounded whatever the rate; the window
 * slides a tenth at a time).
 */
export function createErrorWindow(windowMs: number): ErrorWindow {
  const width = Math.max(1, Math.ceil(windowMs / BUCKETS));
  let buckets: { slot: number; attempts: number; failures: number }[] = [];
  const live = (at: number) => buckets.filter((b) => b.slot > Math.floor(at / width) - BUCKETS);
  return {
    add(failed, at) {
      const slot = Math.floor(at / width);
      buckets = live(at);
      let bucket = buckets.find((b) => b.slot === slot);
      if (bucket === undefined) {
        bucket = { slot, attempts: 0, failures: 0 };
        buckets.push(bucket);
      }
      bucket.attempts += 1;
      if (failed) bucket.failures += 1;
    },
    totals(at) {
      return live(at).reduce((sum, b) => ({ attempts: sum.attempts + b.attempts, failures: sum.failures + b.failures }), { attempts: 0, failures: 0 });
    },
    clear() {
      buckets = [];
    },
  };
}
