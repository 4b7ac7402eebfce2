import { createOpenLoopScheduler, type Arrival, type ScheduleStats } from "./open-loop-scheduler.js";
import type { Random } from "./random.js";
import { createRunRecorder, type RecordedRun } from "./run-recorder.js";

/** What the drivers need from the outside world: a clock and a way to make one call. */
export interface DriverDeps {
  /** Monotonic time in nanoseconds. */
  now(): number;
  /** Makes one call and resolves with its gRPC status code; never rejects. */
  call(): Promise<number>;
  /** Called when the measured window starts and when it ends (the orchestrator reads CPU counters then). */
  onPhase?(phase: "measure" | "end"): void;
  /**
   * Blocks the thread for `ms` (fractions allowed), for a send time less than a timer tick away while nothing
   * is in flight. Optional: without it, every wait is a timer (whose millisecond ticks add up to ~1 ms of lag).
   */
  blockFor?(ms: number): void;
}

/** Closer than this to a send time, with nothing in flight, the open loop blocks instead of setting a timer. */
const PRECISE_WAIT_MS = 2;

/** Timing of a run, seconds. */
export interface RunTiming {
  readonly warmupS: number;
  readonly durationS: number;
}

/** The outcome of a driver run: what was recorded in the measured window. */
export interface DriverOutcome extends RecordedRun {
  /** Completed requests per second of measured window. */
  readonly achievedRate: number;
  /** Schedule keeping (open model only). */
  readonly schedule?: ScheduleStats;
}

const NS_PER_S = 1e9;

/** Announces the measured window's start and end on time; `finish` announces any not yet announced. */
function phaseTimers(deps: DriverDeps, timing: RunTiming): () => void {
  let announced = 0;
  const phases = ["measure", "end"] as const;
  const announce = (upTo: number): void => {
    for (; announced < upTo; announced++) deps.onPhase?.(phases[announced]!);
  };
  const measure = setTimeout(() => announce(1), timing.warmupS * 1000);
  const end = setTimeout(() => announce(2), (timing.warmupS + timing.durationS) * 1000);
  return () => {
    clearTimeout(measure);
    clearTimeout(end);
    announce(2);
  };
}

/** Options of {@link runOpenLoop}. */
export interface OpenLoopOptions extends RunTiming {
  readonly ratePerSecond: number;
  readonly maxInFlight: number;
  readonly arrival: Arrival;
  readonly random?: Random;
  /** Requests that cannot be sent within this delay of their intended time are dropped. */
  readonly maxSendDelayS: number;
}

/**
 * Runs the open model: requests at fixed intended times (see `createOpenLoopScheduler`) for warm-up plus
 * duration, latency from the intended time, then waits for the calls still in flight.
 */
export async function runOpenLoop(options: OpenLoopOptions, deps: DriverDeps): Promise<DriverOutcome> {
  const t0 = deps.now() + 1e6;
  const measureStart = t0 + options.warmupS * NS_PER_S;
  const end = measureStart + options.durationS * NS_PER_S;
  const scheduler = createOpenLoopScheduler({
    ratePerSecond: options.ratePerSecond,
    startNs: t0,
    endNs: end,
    countFromNs: measureStart,
    maxInFlight: options.maxInFlight,
    arrival: options.arrival,
    ...(options.random === undefined ? {} : { random: options.random }),
    maxSendDelayNs: options.maxSendDelayS * NS_PER_S,
  });
  const recorder = createRunRecorder({ startNs: measureStart, endNs: end });
  const stopTimers = phaseTimers(deps, options);
  let wake: (() => void) | undefined;
  let drained: (() => void) | undefined;

  const send = (intended: number): void => {
    void deps.call().then((code) => {
      recorder.record(intended, deps.now(), code);
      scheduler.completed();
      // Wake the loop to send what waited for this slot, or to switch to precise waiting once idle.
      if (scheduler.waiting > 0 || scheduler.inFlight === 0) wake?.();
      if (scheduler.inFlight === 0) drained?.();
    });
  };

  for (;;) {
    for (const intended of scheduler.due(deps.now())) send(intended);
    if (scheduler.finished) break;
    const next = scheduler.nextWakeNs() ?? end;
    const remainingMs = (next - deps.now()) / 1e6;
    if (deps.blockFor !== undefined && scheduler.inFlight === 0 && remainingMs <= PRECISE_WAIT_MS) {
      // Nothing to receive meanwhile: a short block keeps the send on time, where a timer tick would not.
      if (remainingMs > 0) deps.blockFor(remainingMs);
      continue;
    }
    // With nothing in flight, wake a little early and block the rest of the way (above).
    const timerMs = deps.blockFor !== undefined && scheduler.inFlight === 0 ? remainingMs - PRECISE_WAIT_MS + 0.5 : remainingMs;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => resolve(), Math.max(0, timerMs));
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = undefined;
  }
  if (scheduler.inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  stopTimers();
  const recorded = recorder.result();
  return { ...recorded, achievedRate: recorded.completed / options.durationS, schedule: scheduler.stats() };
}

/** Options of {@link runClosedLoop}. */
export interface ClosedLoopOptions extends RunTiming {
  /** Requests in flight: each of this many workers sends its next request when its answer arrives. */
  readonly concurrency: number;
}

/**
 * Runs a closed loop: `concurrency` workers, each sending a request as soon as its previous one is answered,
 * for warm-up plus duration. Latency is from send to answer; throughput is what the system sustains.
 */
export async function runClosedLoop(options: ClosedLoopOptions, deps: DriverDeps): Promise<DriverOutcome> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
  }
  const t0 = deps.now();
  const measureStart = t0 + options.warmupS * NS_PER_S;
  const end = measureStart + options.durationS * NS_PER_S;
  const recorder = createRunRecorder({ startNs: measureStart, endNs: end });
  const stopTimers = phaseTimers(deps, options);
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      for (let start = deps.now(); start < end; start = deps.now()) {
        const code = await deps.call();
        recorder.record(start, deps.now(), code);
      }
    }),
  );
  stopTimers();
  const recorded = recorder.result();
  return { ...recorded, achievedRate: recorded.completed / options.durationS };
}
