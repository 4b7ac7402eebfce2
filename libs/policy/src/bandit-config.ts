import type { Route } from "@modelrouter/contracts";
import { type CompiledFeature, MAX_BANDIT_FEATURES, compileFeature } from "./bandit-features.js";
import { compileReward } from "./bandit-reward.js";
import type { PolicyEnvironment } from "./policy-environment.js";
import type { CompileReport } from "./policy-violation.js";
import { stableUnit } from "./stable-hash.js";

/** The default of `Bandit.min_share`. */
export const DEFAULT_MIN_SHARE = 0.01;
/** The default of `Bandit.max_exploration` (unbounded). */
export const DEFAULT_MAX_EXPLORATION = 1;

/** A route's `bandit`, checked. */
export interface BanditConfig {
  /** The declared features, in order; empty for a bandit without context. */
  readonly features: readonly CompiledFeature[];
  /** Each arm's least probability of being chosen (clamped to 1/k at run time for k candidates). */
  readonly minShare: number;
  /** The most probability off the arm with the best expected reward. */
  readonly maxExploration: number;
  /**
   * 8 hex digits of a stable hash of the features and reward as written: the end of the bandit's key, so that
   * a bandit whose features or reward change starts learning afresh.
   */
  readonly digest: string;
  /** The estimated cost of evaluating the features for one request, in cost units. */
  readonly cost: number;
}

/** 8 hex digits of a stable hash of a bandit's features and reward. */
export function banditDigest(features: readonly string[], reward: string): string {
  const unit = stableUnit(JSON.stringify([features, reward]));
  return Math.floor(unit * 2 ** 32).toString(16).padStart(8, "0");
}

function checkShare(
  value: number | undefined,
  field: string,
  upper: number,
  fallback: number,
  fix: string,
  report: CompileReport,
): number {
  if (value === undefined) return Math.min(fallback, upper);
  if (!Number.isFinite(value) || value < 0 || value > upper + 1e-12) {
    report.violation(field, `is ${value}: ${fix}`);
    return Math.min(fallback, upper);
  }
  return value;
}

/**
 * Checks a route's `bandit` under `path`: set only with STRATEGY_BANDIT (`bandit` true); at most
 * {@link MAX_BANDIT_FEATURES} features, each a double, int or bool expression over `input` and `request`;
 * `reward` empty or a double expression (see `compileReward`); `min_share` in [0, 1/targets]; `max_exploration`
 * in [0, 1]. Returns the configuration for a bandit route (defaults when `bandit` is absent), else undefined.
 */
export function compileBandit(
  route: Route,
  path: string,
  bandit: boolean,
  environment: PolicyEnvironment,
  report: CompileReport,
): BanditConfig | undefined {
  const field = `${path}.bandit`;
  const message = route.bandit;
  if (!bandit) {
    if (message !== undefined) report.violation(field, "is set, but only STRATEGY_BANDIT uses it: set that strategy or remove `bandit`");
    return undefined;
  }
  const sources = message?.features ?? [];
  if (sources.length > MAX_BANDIT_FEATURES) {
    report.violation(
      `${field}.features`,
      `has ${sources.length} features; a bandit may declare at most ${MAX_BANDIT_FEATURES}: keep the ones that tell the models apart`,
    );
  }
  const features = sources
    .slice(0, MAX_BANDIT_FEATURES)
    .flatMap((source, index) => compileFeature(source, `${field}.features[${index}]`, environment, report) ?? []);
  const reward = message?.reward ?? "";
  compileReward(reward, `${field}.reward`, environment.limits, report);
  const targets = Math.max(1, route.targets?.length ?? 0);
  const minShare = checkShare(
    message?.minShare,
    `${field}.min_share`,
    1 / targets,
    DEFAULT_MIN_SHARE,
    `give a share in [0, 1/${targets}] (the route has ${targets} targets), for example 0.01, or leave it out`,
    report,
  );
  const maxExploration = checkShare(
    message?.maxExploration,
    `${field}.max_exploration`,
    1,
    DEFAULT_MAX_EXPLORATION,
    "give a probability in [0, 1], for example 0.2, or leave it out (unbounded)",
    report,
  );
  const cost = features.reduce((sum, f) => sum + f.cost, 0);
  return { features, minShare, maxExploration, digest: banditDigest(sources, reward), cost };
}
