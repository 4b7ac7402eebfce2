import type { CompiledGuard } from "./guard-compile.js";

/** A candidate's live figures over the decision engine's health window, with the samples each rests on. */
export interface GuardFigures {
  /** Attempts that ended in the window (the error rate's samples). */
  readonly attempts: number;
  /** Failed attempts / attempts; 0 without attempts. */
  readonly errorRate: number;
  /** The 95th percentile latency in milliseconds; 0 without samples. */
  readonly p95LatencyMs: number;
  /** The attempts the latency percentile rests on (may come from a different window than `attempts`). */
  readonly latencySamples: number;
  /** Answers labelled by feedback (the accuracy's samples). */
  readonly labelled: number;
  /** Correct / labelled; 0 when none is labelled. */
  readonly accuracy: number;
}

/** Which figure made a candidate degraded. */
export type GuardFigure = "error_rate" | "p95_latency" | "accuracy";

/** Where one guarded candidate stands. Immutable: {@link advanceGuard} returns a new state when it changes. */
export interface GuardState {
  readonly degraded: boolean;
  /** When it entered this state, in epoch milliseconds (0 for the initial healthy state). */
  readonly since: number;
  /** For a degraded candidate: the figure that crossed its threshold. */
  readonly cause: GuardFigure | undefined;
  /** For a degraded candidate: the crossing, as text ("error rate 0.48 over 212 attempts > max_error_rate 0.1"). */
  readonly trigger: string;
  /** Why it is in this state now, for Explain: the trigger and, while degraded, what recovery still waits for. */
  readonly reason: string;
}

/** A candidate nothing is known against: healthy. */
export const HEALTHY_GUARD_STATE: GuardState = Object.freeze({
  degraded: false,
  since: 0,
  cause: undefined,
  trigger: "",
  reason: "healthy",
});

function fmt(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/** The recovery bounds of a guard: every threshold moved `recovery_margin` inside. */
export interface RecoveryBounds {
  readonly maxErrorRate: number | undefined;
  readonly maxP95LatencyMs: number | undefined;
  readonly minAccuracy: number | undefined;
}

/**
 * The bounds a degraded candidate's figures must be within to recover: error rate and latency at most
 * threshold·(1 − margin); accuracy at least threshold + margin·(1 − threshold), the same fraction of the way
 * from the threshold to perfect as the other figures move toward zero.
 */
export function recoveryBounds(guard: CompiledGuard): RecoveryBounds {
  const m = guard.recoveryMargin;
  return {
    maxErrorRate: guard.maxErrorRate === undefined ? undefined : guard.maxErrorRate * (1 - m),
    maxP95LatencyMs: guard.maxP95LatencyMs === undefined ? undefined : guard.maxP95LatencyMs * (1 - m),
    minAccuracy: guard.minAccuracy === undefined ? undefined : guard.minAccuracy + m * (1 - guard.minAccuracy),
  };
}

interface FigureCheck {
  readonly figure: GuardFigure;
  /** The samples it rests on. */
  readonly samples: number;
  readonly text: string;
  /** Whether it crosses the threshold (degrades). */
  readonly crosses: boolean;
  /** Whether it is inside the recovery bound. */
  readonly recovered: boolean;
  /** The recovery bound as text, for "not yet" reasons. */
  readonly bound: string;
}

function checks(guard: CompiledGuard, figures: GuardFigures): FigureCheck[] {
  const bounds = recoveryBounds(guard);
  const list: FigureCheck[] = [];
  if (guard.maxErrorRate !== undefined && bounds.maxErrorRate !== undefined) {
    const value = figures.errorRate;
    list.push({
      figure: "error_rate",
      samples: figures.attempts,
      text: `error rate ${fmt(value)} over ${figures.attempts} attempts`,
      crosses: value > guard.maxErrorRate,
      recovered: value <= bounds.maxErrorRate,
      bound: `≤ ${fmt(bounds.maxErrorRate)} (max_error_rate ${fmt(guard.maxErrorRate)})`,
    });
  }
  if (guard.maxP95LatencyMs !== undefined && bounds.maxP95LatencyMs !== undefined) {
    const value = figures.p95LatencyMs;
    list.push({
      figure: "p95_latency",
      samples: figures.latencySamples,
      text: `p95 latency ${fmt(value)} ms over ${figures.latencySamples} attempts`,
      crosses: value > guard.maxP95LatencyMs,
      recovered: value <= bounds.maxP95LatencyMs,
      bound: `≤ ${fmt(bounds.maxP95LatencyMs)} ms (max_p95_latency_ms ${fmt(guard.maxP95LatencyMs)})`,
    });
  }
  if (guard.minAccuracy !== undefined && bounds.minAccuracy !== undefined) {
    const value = figures.accuracy;
    list.push({
      figure: "accuracy",
      samples: figures.labelled,
      text: `accuracy ${fmt(value)} over ${figures.labelled} labelled answers`,
      crosses: value < guard.minAccuracy,
      recovered: value >= bounds.minAccuracy,
      bound: `≥ ${fmt(bounds.minAccuracy)} (min_accuracy ${fmt(guard.minAccuracy)})`,
    });
  }
  return list;
}

function thresholdText(guard: CompiledGuard, figure: GuardFigure): string {
  switch (figure) {
    case "error_rate":
      return `> max_error_rate ${fmt(guard.maxErrorRate ?? 0)}`;
    case "p95_latency":
      return `> max_p95_latency_ms ${fmt(guard.maxP95LatencyMs ?? 0)}`;
    case "accuracy":
      return `< min_accuracy ${fmt(guard.minAccuracy ?? 0)}`;
  }
}

function degradedState(trigger: string, cause: GuardFigure, since: number, waiting: string): GuardState {
  return Object.freeze({ degraded: true, since, cause, trigger, reason: `${trigger} (${waiting})` });
}

/**
 * Advances one guarded candidate's state to `now` given its figures over the health window. Pure: the same
 * arguments give the same state, and the state returned is `state` itself when nothing changed.
 *
 * - HEALTHY → DEGRADED when a guarded figure resting on at least `min_samples` samples crosses its threshold
 *   (error rate or p95 latency above, accuracy below).
 * - DEGRADED → HEALTHY only when `hold` has passed since it became degraded, the figure that degraded it rests
 *   on `min_samples` samples again (a degraded candidate only gets probes, so this may take a while: it stays
 *   degraded until they arrive), and every guarded figure that rests on `min_samples` is inside its recovery
 *   bound (see {@link recoveryBounds}). A figure between the bound and the threshold changes nothing either
 *   way: that gap is the hysteresis that keeps a figure oscillating around its threshold from toggling.
 */
export function advanceGuard(guard: CompiledGuard, state: GuardState, figures: GuardFigures, now: number): GuardState {
  const list = checks(guard, figures);
  const counted = list.filter((c) => c.samples >= guard.minSamples);
  if (!state.degraded) {
    const crossing = counted.find((c) => c.crosses);
    if (crossing === undefined) return state;
    const trigger = `${crossing.text} ${thresholdText(guard, crossing.figure)}`;
    return degradedState(trigger, crossing.figure, now, `degraded for at least hold ${fmt(guard.holdMs / 1000)} s`);
  }
  const cause = state.cause ?? "error_rate";
  let waiting: string;
  const held = now - state.since;
  const causeCheck = list.find((c) => c.figure === cause);
  const outside = counted.find((c) => !c.recovered);
  if (held < guard.holdMs) {
    waiting = `held ${fmt(held / 1000)} of ${fmt(guard.holdMs / 1000)} s`;
  } else if (causeCheck === undefined || causeCheck.samples < guard.minSamples) {
    waiting = `waiting for ${guard.minSamples} samples from probes, has ${causeCheck?.samples ?? 0}`;
  } else if (outside !== undefined) {
    waiting = `${outside.text} not yet ${outside.bound}`;
  } else {
    const text = counted.map((c) => c.text).join(", ");
    return Object.freeze({ degraded: false, since: now, cause: undefined, trigger: "", reason: `recovered: ${text}` });
  }
  const next = degradedState(state.trigger, cause, state.since, waiting);
  return next.reason === state.reason ? state : next;
}
