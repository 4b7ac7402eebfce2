import { EnvReader } from "@modelrouter/config";
import { readCommonConfig, readMetricsListen, type CommonConfig } from "@modelrouter/host";

/** The shortest and longest live statistics window the registry serves (ListModelStats `window`). */
const MIN_STATS_WINDOW_MS = 60_000;
const MAX_STATS_WINDOW_MS = 24 * 60 * 60_000;
/** The shortest and longest time between two polls of the live statistics. */
const MIN_STATS_INTERVAL_MS = 100;
const MAX_STATS_INTERVAL_MS = 5 * 60_000;
/** The shortest and longest health window of guarded routes. */
const MIN_HEALTH_WINDOW_MS = 5_000;
const MAX_HEALTH_WINDOW_MS = 10 * 60_000;

/** The decision engine process's settings. */
export interface DecisionAppConfig extends CommonConfig {
  /** `MODELROUTER_DECISION_LISTEN`, default 127.0.0.1:50053. */
  readonly listen: string;
  /** `MODELROUTER_DECISION_METRICS_LISTEN` (`host:port`): Prometheus metrics on `/metrics` there; unset: none. */
  readonly metricsListen: string | undefined;
  /** `MODELROUTER_REGISTRY_ADDRESS`, default 127.0.0.1:50054: the registry whose models and policies it follows. */
  readonly registryAddress: string;
  /**
   * `MODELROUTER_DECISION_STATS_WINDOW`, default 5m (1m to 24h): how far back the live statistics that the
   * fastest and best strategies and `candidate.live` read reach.
   */
  readonly statsWindowMs: number;
  /** `MODELROUTER_DECISION_STATS_INTERVAL`, default 2s (100ms to 5m): how often they are polled from the registry. */
  readonly statsIntervalMs: number;
  /**
   * `MODELROUTER_DECISION_HEALTH_WINDOW`, default 30s (5s to 10m): how far back the figures that guarded routes
   * (a route's `guard`) judge their candidates by reach; polled every second.
   */
  readonly healthWindowMs: number;
  /**
   * `MODELROUTER_DECISION_BANDIT_INTERVAL`, default 2s (100ms to 5m): how often what the bandits learned
   * (`ListBanditArms`) is polled from the registry.
   */
  readonly banditIntervalMs: number;
}

/** Reads and checks the settings once; throws a ConfigError naming every bad variable. */
export function loadConfig(vars: Readonly<Record<string, string | undefined>>): DecisionAppConfig {
  const env = new EnvReader(vars);
  const config = {
    ...readCommonConfig(env),
    listen: env.address("MODELROUTER_DECISION_LISTEN", "127.0.0.1:50053"),
    metricsListen: readMetricsListen(env, "MODELROUTER_DECISION_METRICS_LISTEN"),
    registryAddress: env.address("MODELROUTER_REGISTRY_ADDRESS", "127.0.0.1:50054"),
    statsWindowMs: bounded(env, "MODELROUTER_DECISION_STATS_WINDOW", 5 * 60_000, MIN_STATS_WINDOW_MS, MAX_STATS_WINDOW_MS, "1m", "24h"),
    statsIntervalMs: bounded(env, "MODELROUTER_DECISION_STATS_INTERVAL", 2000, MIN_STATS_INTERVAL_MS, MAX_STATS_INTERVAL_MS, "100ms", "5m"),
    healthWindowMs: bounded(env, "MODELROUTER_DECISION_HEALTH_WINDOW", 30_000, MIN_HEALTH_WINDOW_MS, MAX_HEALTH_WINDOW_MS, "5s", "10m"),
    banditIntervalMs: bounded(env, "MODELROUTER_DECISION_BANDIT_INTERVAL", 2000, MIN_STATS_INTERVAL_MS, MAX_STATS_INTERVAL_MS, "100ms", "5m"),
  };
  env.done();
  return config;
}

function bounded(env: EnvReader, name: string, fallbackMs: number, minMs: number, maxMs: number, min: string, max: string): number {
  const ms = env.durationMs(name, fallbackMs);
  if (ms >= minMs && ms <= maxMs) return ms;
  env.problem(`${name}=${JSON.stringify(String(ms) + "ms")}: expected a duration from ${min} to ${max}`);
  return fallbackMs;
}
