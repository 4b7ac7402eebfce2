import { createHistogram, percentilesUs, type LatencyPercentiles } from "./histogram.js";
import { exponentialGap, type Random } from "./random.js";

/** How an open-model run spaces its requests. */
export type Arrival = "uniform" | "poisson";

/** The plan of an open-model run. Times are nanoseconds on the run's clock. */
export interface OpenLoopPlan {
  /** Offered load, requests per second. */
  readonly ratePerSecond: number;
  /** t0: the intended send time of the first request. */
  readonly startNs: number;
  /** When the schedule ends: no request is intended at or after this time. */
  readonly endNs: number;
  /** At most this many requests in flight; due requests wait (and count as late) beyond it. */
  readonly maxInFlight: number;
  /** `uniform`: request i is intended at t0 + i/R. `poisson`: exponential gaps of mean 1/R drawn from `random`. */
  readonly arrival: Arrival;
  readonly random?: Random;
  /** A due request that cannot be sent within this delay of its intended time is dropped. Default: never. */
  readonly maxSendDelayNs?: number;
  /** A send this much after its intended time counts as late. Default 1 ms. */
  readonly lateAfterNs?: number;
  /** {@link ScheduleStats} count only requests intended at or after this time (the warm-up's end). Default t0. */
  readonly countFromNs?: number;
}

/** How well the generator kept to its schedule (requests intended from `countFromNs` on). */
export interface ScheduleStats {
  /** Requests the schedule intended (up to now, or in total once it ended). */
  readonly intended: number;
  readonly sent: number;
  /** Requests never sent: dropped after `maxSendDelayNs`, or still waiting when the schedule ended. */
  readonly dropped: number;
  /** Sends later than `lateAfterNs` after their intended time. */
  readonly late: number;
  /** Delay from intended to actual send time, microseconds. */
  readonly sendLag: LatencyPercentiles;
}

/**
 * The open-model schedule (no coordinated omission): request i has an intended send time fixed in advance
 * (t0 + i/R, or Poisson arrivals), whatever the answers do; a slow answer never delays the next request's
 * intended time, and latency is measured from the intended time, so queueing in the system — or in the
 * generator, when it hits `maxInFlight` — shows up as latency instead of as a lower request rate.
 *
 * A pure state machine: the caller owns the clock. It calls {@link OpenLoopScheduler.due} whenever it wakes
 * (a timer at {@link OpenLoopScheduler.nextWakeNs}, or a completion) and sends one request per returned intended
 * time, then calls {@link OpenLoopScheduler.completed} with that intended time when the answer arrives.
 */
export interface OpenLoopScheduler {
  /** Returns the intended times of the requests to send now (oldest first) and counts them in flight. */
  due(nowNs: number): number[];
  /** A request returned by `due` has completed (whatever its status); frees its slot. */
  completed(): void;
  /** The next time something becomes due, or undefined when the schedule is over (or waits for a free slot). */
  nextWakeNs(): number | undefined;
  /** True when no more requests will be sent (past the end, nothing waiting). */
  readonly finished: boolean;
  readonly inFlight: number;
  /** Due requests waiting for a free slot. */
  readonly waiting: number;
  /**
   * Ends the schedule: nothing more becomes due, and requests still waiting for a slot are dropped. Called by
   * {@link OpenLoopScheduler.due} itself once the end time has passed.
   */
  close(): void;
  stats(): ScheduleStats;
}

/** Creates an {@link OpenLoopScheduler} for a plan; validates the plan. */
export function createOpenLoopScheduler(plan: OpenLoopPlan): OpenLoopScheduler {
  if (!(plan.ratePerSecond > 0) || !Number.isFinite(plan.ratePerSecond)) throw new RangeError(`rate must be > 0, got ${plan.ratePerSecond}`);
  if (!(plan.endNs >= plan.startNs)) throw new RangeError("the schedule must end at or after its start");
  if (!Number.isInteger(plan.maxInFlight) || plan.maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${plan.maxInFlight}`);
  if (plan.arrival === "poisson" && plan.random === undefined) throw new RangeError("poisson arrivals need a seeded random source");
  const gapNs = 1e9 / plan.ratePerSecond;
  const lateAfterNs = plan.lateAfterNs ?? 1e6;
  const maxSendDelayNs = plan.maxSendDelayNs ?? Number.POSITIVE_INFINITY;
  const countFromNs = plan.countFromNs ?? plan.startNs;
  const lag = createHistogram();

  let index = 0;
  let next = plan.startNs;
  let closed = false;
  const waiting: number[] = [];
  let waitingHead = 0;
  let inFlight = 0;
  let intended = 0;
  let sent = 0;
  let dropped = 0;
  let late = 0;

  const advance = (): void => {
    index += 1;
    next = plan.arrival === "uniform" ? plan.startNs + index * gapNs : next + exponentialGap(gapNs, plan.random!);
  };
  const waitingCount = (): number => waiting.length - waitingHead;
  const compact = (): void => {
    if (waitingHead > 1024 && waitingHead * 2 > waiting.length) {
      waiting.splice(0, waitingHead);
      waitingHead = 0;
    }
  };

  const drop = (time: number): void => {
    if (time >= countFromNs) dropped += 1;
  };
  const close = (): void => {
    closed = true;
    for (let i = waitingHead; i < waiting.length; i++) drop(waiting[i]!);
    waiting.length = 0;
    waitingHead = 0;
  };

  return {
    due(nowNs) {
      if (!closed) {
        while (next <= nowNs && next < plan.endNs) {
          waiting.push(next);
          if (next >= countFromNs) intended += 1;
          advance();
        }
      }
      const out: number[] = [];
      while (waitingCount() > 0 && inFlight < plan.maxInFlight) {
        const time = waiting[waitingHead++]!;
        const delay = nowNs - time;
        if (delay > maxSendDelayNs) {
          drop(time);
          continue;
        }
        if (time >= countFromNs) {
          lag.record(delay);
          if (delay > lateAfterNs) late += 1;
          sent += 1;
        }
        inFlight += 1;
        out.push(time);
      }
      while (waitingCount() > 0 && nowNs - waiting[waitingHead]! > maxSendDelayNs) drop(waiting[waitingHead++]!);
      if (nowNs >= plan.endNs) close();
      compact();
      return out;
    },
    completed() {
      if (inFlight === 0) throw new Error("completed() without a request in flight");
      inFlight -= 1;
    },
    nextWakeNs() {
      if (closed || next >= plan.endNs) return undefined;
      return next;
    },
    get finished() {
      return (closed || next >= plan.endNs) && waitingCount() === 0;
    },
    get inFlight() {
      return inFlight;
    },
    get waiting() {
      return waitingCount();
    },
    close,
    stats() {
      return { intended, sent, dropped, late, sendLag: percentilesUs(lag) };
    },
  };
}
