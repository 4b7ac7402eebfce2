import { ExperimentMetric, Strategy, type Experiment, type Route } from "@modelrouter/contracts";
import type { CompileReport } from "./policy-violation.js";

/** The samples each arm needs before an experiment may decide when `min_samples` is 0. */
export const DEFAULT_EXPERIMENT_MIN_SAMPLES = 100;
/** The least `min_samples` accepted: below, the test's variance estimates are too rough to trust. */
export const MIN_EXPERIMENT_MIN_SAMPLES = 10;
/** The test's error rate when `alpha` is unset. */
export const DEFAULT_EXPERIMENT_ALPHA = 0.05;

/** What a running experiment compares its arms by. */
export type ExperimentMetricName = "accuracy" | "reward" | "latency";

/** An experiment's test settings, checked and with their defaults filled in. */
export interface ExperimentTestSettings {
  readonly metric: ExperimentMetricName;
  readonly minSamples: number;
  readonly alpha: number;
  /** Undefined: failures do not roll a challenger back. */
  readonly maxErrorRate: number | undefined;
  readonly minEffect: number;
}

/** An experiment's settings: its name, as written or "<policy>/<rule>" (see {@link experimentName}), and its test's. */
export interface ExperimentSettings extends ExperimentTestSettings {
  readonly name: string;
}

/** A route's experiment, checked: its settings, and whether it already ended (then it is only evidence). */
export interface CompiledExperiment {
  readonly settings: ExperimentTestSettings;
  readonly ended: boolean;
  /** Its path in the policy, for example "rules[0].route.experiment". */
  readonly source: string;
}

/** The metric's name; UNSPECIFIED is accuracy. */
export function experimentMetricName(metric: ExperimentMetric): ExperimentMetricName {
  if (metric === ExperimentMetric.REWARD) return "reward";
  if (metric === ExperimentMetric.LATENCY) return "latency";
  return "accuracy";
}

/** The experiment's name as written, or "<policy>/<rule>" ("<policy>/default" for the default route). */
export function experimentName(written: string, policy: string, rule: string): string {
  if (written !== "") return written;
  return `${policy}/${rule === "" ? "default" : rule}`;
}

/** An experiment's test settings with their defaults (no checks: see {@link compileExperiment}). */
export function experimentTestSettings(experiment: Experiment): ExperimentTestSettings {
  return {
    metric: experimentMetricName(experiment.metric),
    minSamples: experiment.minSamples === 0 ? DEFAULT_EXPERIMENT_MIN_SAMPLES : experiment.minSamples,
    alpha: experiment.alpha ?? DEFAULT_EXPERIMENT_ALPHA,
    maxErrorRate: experiment.maxErrorRate,
    minEffect: experiment.minEffect,
  };
}

/**
 * The settings of a route's experiment with their defaults, undefined when it has none (no checks: compile the
 * policy first). `rule` is "" for the default route.
 */
export function experimentSettings(route: Route, policy: string, rule: string): ExperimentSettings | undefined {
  const experiment = route.experiment;
  if (experiment === undefined) return undefined;
  return { name: experimentName(experiment.name, policy, rule), ...experimentTestSettings(experiment) };
}

function checkRunningRoute(route: Route, at: string, report: CompileReport): void {
  if (route.strategy !== Strategy.WEIGHTED) {
    report.violation(
      `${at}`,
      "is set on a route whose strategy is not STRATEGY_WEIGHTED: an experiment splits traffic between its arms, " +
        "so set `strategy: STRATEGY_WEIGHTED` with the control first and the challengers after it, or remove it",
    );
  }
  const targets = route.targets ?? [];
  if (targets.length < 2) {
    report.violation(
      `${at}`,
      `needs at least 2 targets (the control first, then the challengers); the route has ${targets.length}: ` +
        "add the challenger as a second target",
    );
  }
  targets.forEach((target, index) => {
    if (target.kind.case !== "model") {
      report.violation(
        `${at}`,
        `compares models named by the route's targets, but targets[${index}] is a label selector: name one model ` +
          "per target (`model: {name: \"digits-lite\"}`)",
      );
    }
  });
}

/**
 * Checks a route's `experiment` (reported under `path`, the route's path): a running one (no `outcome`) needs
 * STRATEGY_WEIGHTED and at least 2 targets naming models (the first is the control); `alpha` in (0, 0.5],
 * `min_samples` 0 (default 100) or at least 10, `max_error_rate` in (0, 1], `min_effect` ≥ 0. An ended one
 * (its `outcome` set by the registry) is kept as evidence on any route and never evaluated.
 */
export function compileExperiment(route: Route, path: string, report: CompileReport): CompiledExperiment | undefined {
  const experiment = route.experiment;
  if (experiment === undefined) return undefined;
  const at = `${path}.experiment`;
  const ended = experiment.outcome !== undefined;
  if (!ended) checkRunningRoute(route, at, report);
  const alpha = experiment.alpha;
  if (alpha !== undefined && !(alpha > 0 && alpha <= 0.5)) {
    report.violation(
      `${at}.alpha`,
      `is ${alpha}: the test's error rate must be in (0, 0.5]; write 0.05 for 5 % (or omit it for that default)`,
    );
  }
  if (experiment.minSamples !== 0 && experiment.minSamples < MIN_EXPERIMENT_MIN_SAMPLES) {
    report.violation(
      `${at}.min_samples`,
      `is ${experiment.minSamples}: each arm needs at least ${MIN_EXPERIMENT_MIN_SAMPLES} samples before the test ` +
        `may decide; raise it (or omit it for ${DEFAULT_EXPERIMENT_MIN_SAMPLES})`,
    );
  }
  const maxErrorRate = experiment.maxErrorRate;
  if (maxErrorRate !== undefined && !(maxErrorRate > 0 && maxErrorRate <= 1)) {
    report.violation(
      `${at}.max_error_rate`,
      `is ${maxErrorRate}: a share of failed requests must be in (0, 1]; write 0.1 for 10 %, or omit it so that ` +
        "failures do not roll back",
    );
  }
  if (!(experiment.minEffect >= 0) || !Number.isFinite(experiment.minEffect)) {
    report.violation(
      `${at}.min_effect`,
      `is ${experiment.minEffect}: the least improvement worth promoting is a finite number ≥ 0 in the metric's ` +
        "unit (0.01: one point of accuracy; for latency, milliseconds faster)",
    );
  }
  return { settings: experimentTestSettings(experiment), ended, source: at };
}
