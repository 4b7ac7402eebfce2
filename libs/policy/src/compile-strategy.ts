import { type Route, Strategy } from "@modelrouter/contracts";
import { compileBandit } from "./bandit-config.js";
import { createBanditStrategy } from "./bandit-strategy.js";
import { compileConstraints } from "./candidate-constraints.js";
import { type FigureReader, accuracyFigure, declaredFigure, latencyFigure } from "./ranked-figures.js";
import type { PolicyEnvironment } from "./policy-environment.js";
import type { CompileReport } from "./policy-violation.js";
import { createLeastLoadedStrategy } from "./least-loaded-strategy.js";
import { createRankedStrategy } from "./ranked-strategy.js";
import { type RouteStrategy, createFirstStrategy } from "./route-strategy.js";
import { type StickyKey, parseStickyKey } from "./sticky-key.js";
import { createWeightedStrategy } from "./weighted-strategy.js";

const STRATEGY_NAMES =
  "STRATEGY_FIRST, STRATEGY_WEIGHTED, STRATEGY_BEST, STRATEGY_FASTEST, STRATEGY_CHEAPEST, STRATEGY_LEAST_LOADED or STRATEGY_BANDIT";

/** The metrics STRATEGY_BEST can maximise, as written in `metric`. */
const BEST_METRICS: Readonly<Record<string, FigureReader>> = {
  accuracy: accuracyFigure,
  f1: declaredFigure("f1", (stats) => stats.f1),
};

function checkWeights(route: Route, path: string, weighted: boolean, report: CompileReport): Map<string, number> {
  const weights = new Map<string, number>();
  let allPositive = true;
  (route.targets ?? []).forEach((target, index) => {
    const field = `${path}.targets[${index}].weight`;
    const weight = target?.weight ?? 0;
    if (!weighted) {
      if (weight !== 0) {
        report.violation(field, `is ${weight}, but only STRATEGY_WEIGHTED uses weights: set that strategy or remove the weight`);
      }
      return;
    }
    if (!(weight > 0) || !Number.isFinite(weight)) {
      allPositive = false;
      report.violation(
        field,
        `is ${weight}: give every target of a weighted route a weight greater than 0, for example 70 and 30 ` +
          "(remove a target to send it no traffic)",
      );
    }
    weights.set(`${path}.targets[${index}]`, weight);
  });
  (route.fallbacks ?? []).forEach((fallback, index) => {
    if ((fallback?.weight ?? 0) !== 0) {
      report.violation(
        `${path}.fallbacks[${index}].weight`,
        "is set, but fallbacks take no share of the split: move the model to targets or remove the weight",
      );
    }
  });
  const total = [...weights.values()].reduce((sum, w) => sum + w, 0);
  if (weighted && allPositive && weights.size > 0 && !(total > 0 && Number.isFinite(total))) {
    report.violation(`${path}.targets`, `the weights sum to ${total}: give weights that sum to a positive finite value, such as 70 and 30`);
  }
  return weights;
}

function checkStickyKey(route: Route, path: string, weighted: boolean, report: CompileReport): StickyKey | undefined {
  const text = route.stickyKey ?? "";
  if (text === "") return undefined;
  if (!weighted) {
    report.violation(`${path}.sticky_key`, "is set, but only STRATEGY_WEIGHTED uses a sticky key: set that strategy or remove it");
    return undefined;
  }
  const parsed = parseStickyKey(text);
  if ("problem" in parsed) {
    report.violation(`${path}.sticky_key`, parsed.problem);
    return undefined;
  }
  return parsed;
}

function checkMetric(route: Route, path: string, best: boolean, report: CompileReport): string {
  const metric = route.metric ?? "";
  const field = `${path}.metric`;
  if (!best) {
    if (metric !== "") report.violation(field, `is "${metric}", but only STRATEGY_BEST uses a metric: set that strategy or remove it`);
    return "";
  }
  if (metric === "") {
    report.violation(field, 'is required with STRATEGY_BEST: name the metric to maximise, "accuracy" or "f1"');
  } else if (BEST_METRICS[metric] === undefined) {
    const hint =
      metric === "p50_latency_ms"
        ? " (for the lowest latency, use STRATEGY_FASTEST)"
        : metric === "cost_per_request"
          ? " (for the lowest cost, use STRATEGY_CHEAPEST)"
          : "";
    report.violation(field, `"${metric}" is not a metric models declare: use "accuracy" or "f1"${hint}`);
  }
  return metric;
}

/**
 * Checks a route's strategy and its settings, reporting each problem on its field under `path`: a known
 * strategy; for STRATEGY_WEIGHTED a weight greater than 0 on every target (none on fallbacks) and a sticky key
 * that names something a request carries; for STRATEGY_BEST a known `metric`; for BEST, FASTEST, CHEAPEST and
 * LEAST_LOADED constraints that compile in the constraint language; for STRATEGY_BANDIT its `bandit` (see
 * `compileBandit`); and no setting a strategy does not use. Returns the
 * strategy (STRATEGY_FIRST when the strategy is unknown, with a violation).
 */
export function compileStrategy(route: Route, path: string, environment: PolicyEnvironment, report: CompileReport): RouteStrategy {
  const strategy = route.strategy ?? Strategy.UNSPECIFIED;
  const known = Object.values(Strategy).includes(strategy);
  if (!known) report.violation(`${path}.strategy`, `${String(strategy)} is not a known strategy: use ${STRATEGY_NAMES}`);
  const weighted = strategy === Strategy.WEIGHTED;
  const constrained =
    strategy === Strategy.BEST ||
    strategy === Strategy.FASTEST ||
    strategy === Strategy.CHEAPEST ||
    strategy === Strategy.LEAST_LOADED;
  const weights = checkWeights(route, path, weighted, report);
  const stickyKey = checkStickyKey(route, path, weighted, report);
  const metric = checkMetric(route, path, strategy === Strategy.BEST, report);
  const sources = route.constraints ?? [];
  if (!constrained && sources.length > 0) {
    report.violation(
      `${path}.constraints`,
      "are set, but only STRATEGY_BEST, STRATEGY_FASTEST, STRATEGY_CHEAPEST and STRATEGY_LEAST_LOADED use " +
        "constraints (STRATEGY_FIRST and STRATEGY_WEIGHTED take every eligible target): set one of them or remove them",
    );
  }
  const constraints = constrained ? compileConstraints(sources, path, environment, report) : [];
  const cost = constraints.reduce((sum, c) => sum + c.condition.cost, 0) * environment.limits.maxRouteTargets;
  const bandit = compileBandit(route, path, strategy === Strategy.BANDIT, environment, report);
  switch (strategy) {
    case Strategy.BANDIT:
      return bandit === undefined ? createFirstStrategy() : createBanditStrategy(bandit);
    case Strategy.WEIGHTED:
      return createWeightedStrategy({ weights, stickyKey });
    case Strategy.BEST:
      return createRankedStrategy({
        name: "best",
        figure: metric,
        read: BEST_METRICS[metric] ?? accuracyFigure,
        prefer: "higher",
        constraints,
        cost,
      });
    case Strategy.FASTEST:
      return createRankedStrategy({
        name: "fastest",
        figure: "p50_latency_ms",
        read: latencyFigure,
        prefer: "lower",
        constraints,
        cost,
      });
    case Strategy.CHEAPEST:
      return createRankedStrategy({
        name: "cheapest",
        figure: "cost_per_request",
        read: declaredFigure("cost_per_request", (stats) => stats.costPerRequest),
        prefer: "lower",
        constraints,
        cost,
      });
    case Strategy.LEAST_LOADED:
      return createLeastLoadedStrategy({ constraints, cost });
    default:
      return createFirstStrategy();
  }
}
