import { EnvReader } from "@modelrouter/config";
import { readEgressPolicy } from "@modelrouter/egress";
import { readExecutorConfig, type ExecutorConfig } from "@modelrouter/executor-service";
import { readCommonConfig, readMetricsListen, type CommonConfig } from "@modelrouter/host";
import { modelZooDir } from "@modelrouter/model-zoo";
import { readRegistryConfig, type RegistryConfig } from "@modelrouter/registry-service";
import type { BreakerSettings, DecisionLogSettings, RequestGateSettings, RouterLimits, ShadowSettings } from "@modelrouter/router-service";
import { readEjectionSettings } from "./ejection-settings.js";
import { readAddressList } from "./address-list.js";
import { readGateSettings } from "./gate-settings.js";

/** The services the router process can host itself (the co-located topology). */
export const COLOCATABLE = ["analyzer", "decision-engine", "executor", "registry"] as const;
export type Colocatable = (typeof COLOCATABLE)[number];

/** The router process's settings. */
export interface RouterAppConfig extends CommonConfig {
  /** `MODELROUTER_ROUTER_LISTEN`, default 127.0.0.1:50051: gRPC. */
  readonly listen: string;
  /** `MODELROUTER_ROUTER_METRICS_LISTEN` (`host:port`): Prometheus metrics on `/metrics` there; unset: none. */
  readonly metricsListen: string | undefined;
  /** `MODELROUTER_ROUTER_HTTP_LISTEN`, default 127.0.0.1:8080: Connect/JSON for curl; "off" disables it. */
  readonly httpListen: string | undefined;
  /**
   * `MODELROUTER_REGISTRY_LISTEN`, default 127.0.0.1:50054, read when the registry is co-located: the registry's
   * API (for the CLI and operators) on a port of its own, never on the router's front door.
   */
  readonly registryListen: string | undefined;
  /** `MODELROUTER_COLOCATE`: services run in this process, called directly instead of over gRPC. */
  readonly colocate: ReadonlySet<Colocatable>;
  /**
   * `MODELROUTER_INTERNAL_TRANSPORT`: how unary calls reach services that are not co-located: `tunnel` (the
   * default: multiplexed on one long-lived stream per service) or `unary` (one gRPC call each).
   */
  readonly internalTransport: "tunnel" | "unary";
  /**
   * Where the services that are not co-located are (`MODELROUTER_<SERVICE>_ADDRESS`); the executor's, analyzer's
   * and decision engine's are their lists as written (see {@link RouterAppConfig.executorAddresses}).
   */
  readonly addresses: Readonly<Record<Colocatable, string>>;
  /** `MODELROUTER_EXECUTOR_ADDRESS` as a list: executor `host:port`s, IP addresses or DNS names. */
  readonly executorAddresses: readonly string[];
  /** `MODELROUTER_ANALYZER_ADDRESS` as a list: each call goes to the next of every address (round robin). */
  readonly analyzerAddresses: readonly string[];
  /** `MODELROUTER_DECISION_ADDRESS` as a list: each call goes to the next of every address (round robin). */
  readonly decisionAddresses: readonly string[];
  /**
   * `MODELROUTER_EXECUTOR_RESOLVE_INTERVAL`, default 5 s: how often the DNS names of the executors, analyzers and
   * decision engines are resolved again.
   */
  readonly executorResolveIntervalMs: number;
  readonly limits: RouterLimits;
  readonly decisionLog: DecisionLogSettings;
  /** `MODELROUTER_SHADOW_MAX_IN_FLIGHT`, default 32: shadows running at once (more are dropped); each at most the max deadline. */
  readonly shadows: ShadowSettings;
  /**
   * `MODELROUTER_EJECTION_*`: the executor instances' circuit breakers — ejected after 5 attempts in a row got no
   * answer or half of at least 20 in 10 s, for 1 s doubling up to 30 s, at most half of the instances.
   */
  readonly ejection: BreakerSettings;
  /**
   * `MODELROUTER_TENANT_LIMITS`, `MODELROUTER_ADMISSION*`, `MODELROUTER_TIERS`: per-tenant rate limits and
   * concurrency quotas, and the adaptive concurrency limit that sheds the lower tiers first (see `readGateSettings`).
   */
  readonly gate: RequestGateSettings;
  /**
   * `MODELROUTER_STATS_INTERVAL`, default 1 s (100 ms to 1 min; `0` turns live statistics off): how often the router
   * reports its attempts' counts (per model version and instance: requests, errors by code, latency) to the registry.
   */
  readonly statsIntervalMs: number;
  /** Settings of a co-located registry (read only when it is co-located). */
  readonly registry: RegistryConfig | undefined;
  /** Settings of a co-located executor (read only when it is co-located). */
  readonly executor: ExecutorConfig | undefined;
}

/** Reads and checks the settings once; throws a ConfigError naming every bad variable. */
export function loadConfig(vars: Readonly<Record<string, string | undefined>>, cwd: string): RouterAppConfig {
  const env = new EnvReader(vars);
  const colocate = new Set(env.listOf("MODELROUTER_COLOCATE", COLOCATABLE, []));
  const egress = readEgressPolicy(env);
  const http = env.string("MODELROUTER_ROUTER_HTTP_LISTEN", "127.0.0.1:8080");
  const defaultDeadlineMs = env.durationMs("MODELROUTER_DEFAULT_DEADLINE", 10_000);
  const maxDeadlineMs = env.durationMs("MODELROUTER_MAX_DEADLINE", 60_000);
  if (defaultDeadlineMs > maxDeadlineMs) {
    env.problem("MODELROUTER_DEFAULT_DEADLINE: must not exceed MODELROUTER_MAX_DEADLINE");
  }
  const executorAddresses = readAddressList(env, "MODELROUTER_EXECUTOR_ADDRESS", "127.0.0.1:50055", "executor.modelrouter.svc.cluster.local:50055");
  const analyzerAddresses = readAddressList(env, "MODELROUTER_ANALYZER_ADDRESS", "127.0.0.1:50052", "analyzer.modelrouter.svc.cluster.local:50052");
  const decisionAddresses = readAddressList(env, "MODELROUTER_DECISION_ADDRESS", "127.0.0.1:50053", "decision-engine.modelrouter.svc.cluster.local:50053");
  const config: RouterAppConfig = {
    ...readCommonConfig(env),
    listen: env.address("MODELROUTER_ROUTER_LISTEN", "127.0.0.1:50051"),
    metricsListen: readMetricsListen(env, "MODELROUTER_ROUTER_METRICS_LISTEN"),
    httpListen: http === "off" ? undefined : env.address("MODELROUTER_ROUTER_HTTP_LISTEN", "127.0.0.1:8080"),
    registryListen: colocate.has("registry") ? env.address("MODELROUTER_REGISTRY_LISTEN", "127.0.0.1:50054") : undefined,
    colocate,
    internalTransport: env.oneOf("MODELROUTER_INTERNAL_TRANSPORT", ["tunnel", "unary"] as const, "tunnel"),
    addresses: {
      analyzer: analyzerAddresses.join(","),
      "decision-engine": decisionAddresses.join(","),
      registry: env.address("MODELROUTER_REGISTRY_ADDRESS", "127.0.0.1:50054"),
      executor: executorAddresses.join(","),
    },
    executorAddresses,
    analyzerAddresses,
    decisionAddresses,
    executorResolveIntervalMs: env.durationMs("MODELROUTER_EXECUTOR_RESOLVE_INTERVAL", 5000),
    limits: {
      defaultDeadlineMs,
      maxDeadlineMs,
      maxAttempts: env.int("MODELROUTER_MAX_ATTEMPTS", 3, { min: 1, max: 16 }),
      maxInstanceAttempts: env.int("MODELROUTER_EXECUTOR_INSTANCE_ATTEMPTS", 3, { min: 1, max: 16 }),
    },
    decisionLog: {
      sampleRate: env.number("MODELROUTER_DECISION_LOG_SAMPLE", 1, { min: 0, max: 1 }),
      maxInFlight: env.int("MODELROUTER_DECISION_LOG_MAX_IN_FLIGHT", 256, { min: 1, max: 100_000 }),
      timeoutMs: env.durationMs("MODELROUTER_DECISION_LOG_TIMEOUT", 5000),
    },
    shadows: { maxInFlight: env.int("MODELROUTER_SHADOW_MAX_IN_FLIGHT", 32, { min: 0, max: 10_000 }), maxDeadlineMs },
    ejection: readEjectionSettings(env),
    gate: readGateSettings(env),
    statsIntervalMs: readStatsInterval(env),
    registry: colocate.has("registry") ? { ...readRegistryConfig(env, cwd), egress } : undefined,
    executor: colocate.has("executor") ? readExecutorConfig(env, cwd, modelZooDir(), egress) : undefined,
  };
  env.done();
  return config;
}

/** `MODELROUTER_STATS_INTERVAL`: 0 (off), or from 100 ms to 1 min. */
function readStatsInterval(env: EnvReader): number {
  const ms = env.durationMs("MODELROUTER_STATS_INTERVAL", 1000);
  if (ms !== 0 && (ms < 100 || ms > 60_000)) {
    env.problem(`MODELROUTER_STATS_INTERVAL: ${ms} ms is out of range; expected 0 (off) or a duration from 100ms to 1m, for example 1s`);
  }
  return ms;
}
