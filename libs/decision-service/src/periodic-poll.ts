import { setTimeout as sleep } from "node:timers/promises";
import type { LogFields, Logger } from "@modelrouter/telemetry";

/** What a {@link createPeriodicPoll} logs: the first failure of a streak and the recovery, once each. */
export interface PollMessages<T> {
  /** The warning on the first failed poll of a streak (logged with the error and `lastGoodAgeMs`). */
  readonly failed: string;
  /** The line on the first good poll after a streak (logged with `failures`, the streak's length). */
  readonly recovered: string;
  /** More fields of the failure warning. */
  readonly failedFields?: () => LogFields;
  /** More fields of the recovery line, from the new value. */
  readonly recoveredFields?: (value: T) => LogFields;
}

/** What every poller of the decision engine is given besides its source and settings. */
export interface PollerHost {
  readonly logger: Logger;
  /** The engine's clock in epoch milliseconds. Default: `Date.now`. */
  readonly clock?: () => number;
  /** Whether to start polling at once (default true); false: only `pollOnce` polls. */
  readonly start?: boolean;
}

/** What one {@link createPeriodicPoll} polls, how often, and what it logs. */
export interface PollLoop<T> {
  /** The `component` field of the poll's log lines. */
  readonly component: string;
  /** One poll: resolves to the new value, or rejects to keep the last good one. Must honour `signal` and `timeoutMs`. */
  readonly fetch: (signal: AbortSignal, timeoutMs: number) => Promise<T>;
  /** The time between the end of one poll and the start of the next, in milliseconds. */
  readonly intervalMs: number;
  /** The deadline passed to every `fetch`, in milliseconds. */
  readonly timeoutMs: number;
  readonly messages: PollMessages<T>;
}

/** A value kept fresh by polling; see {@link createPeriodicPoll}. */
export interface PeriodicPoll<T> {
  /** The value of the last good poll, however old; undefined before the first. */
  latest(): T | undefined;
  /** Polls once now; true when it succeeded (the value was replaced). */
  pollOnce(): Promise<boolean>;
  /** Stops polling (aborting a poll under way) and waits for the loop to end; the last value stays readable. */
  close(): Promise<void>;
}

/**
 * Calls `fetch` every interval (sleeping unref'd in between, so that it keeps no process alive), each call with
 * the deadline and the poll's abort signal. A good answer replaces the last good value in one assignment. A
 * failed poll keeps it and is logged once per streak of failures (a warning with the last good value's age),
 * the recovery once (with the number of failures). A failure caused by {@link PeriodicPoll.close} is not logged.
 */
export function createPeriodicPoll<T>(host: PollerHost, loop: PollLoop<T>): PeriodicPoll<T> {
  const { messages, intervalMs, timeoutMs } = loop;
  const logger = host.logger.child({ component: loop.component });
  const clock = host.clock ?? Date.now;
  const controller = new AbortController();
  let current: { readonly value: T; readonly at: number } | undefined;
  let failures = 0;

  const pollOnce = async (): Promise<boolean> => {
    try {
      const value = await loop.fetch(controller.signal, timeoutMs);
      current = { value, at: clock() };
      if (failures > 0) logger.info(messages.recovered, { failures, ...messages.recoveredFields?.(value) });
      failures = 0;
      return true;
    } catch (error) {
      if (controller.signal.aborted) return false;
      if (failures === 0) {
        const lastGoodAgeMs = current === undefined ? null : clock() - current.at;
        logger.warn(messages.failed, { error, ...messages.failedFields?.(), lastGoodAgeMs });
      }
      failures++;
      return false;
    }
  };

  const repeat = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      await pollOnce();
      try {
        await sleep(intervalMs, undefined, { signal: controller.signal, ref: false });
      } catch {
        return;
      }
    }
  };
  const running = host.start === false ? Promise.resolve() : repeat();

  return {
    latest: () => current?.value,
    pollOnce,
    async close() {
      controller.abort();
      await running;
    },
  };
}
