/**
 * Wakes watchers when changes may have committed. It carries no data: watchers read the change log (the one
 * source of truth) after each wake-up, so a writer only bumps a counter and never waits for a watcher.
 */
export interface ChangeFeed {
  /** Increases on every wake-up. Read it before reading the log, then pass it to {@link ChangeFeed.wait}. */
  readonly version: number;
  /** Signals that the change log may have grown. */
  notify(): void;
  /**
   * Resolves once the feed has been notified after `seenVersion` was read (at once if it already has), or
   * when `signal` aborts.
   */
  wait(seenVersion: number, signal: AbortSignal): Promise<void>;
}

/** Creates a {@link ChangeFeed}. */
export function createChangeFeed(): ChangeFeed {
  let version = 0;
  const waiters = new Set<() => void>();
  return {
    get version() {
      return version;
    },
    notify() {
      version++;
      const woken = [...waiters];
      waiters.clear();
      for (const wake of woken) wake();
    },
    wait(seenVersion, signal) {
      if (version > seenVersion || signal.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = (): void => {
          waiters.delete(done);
          signal.removeEventListener("abort", done);
          resolve();
        };
        waiters.add(done);
        signal.addEventListener("abort", done, { once: true });
      });
    },
  };
}
