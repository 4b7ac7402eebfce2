import { EnvReader } from "@modelrouter/config";
import { readEgressPolicy } from "@modelrouter/egress";
import { readCommonConfig, readMetricsListen, type CommonConfig } from "@modelrouter/host";
import { readRegistryConfig, type RegistryConfig } from "@modelrouter/registry-service";

/** The registry process's settings. */
export interface RegistryAppConfig extends CommonConfig {
  /** `MODELROUTER_REGISTRY_LISTEN`, default 127.0.0.1:50054. */
  readonly listen: string;
  /** `MODELROUTER_REGISTRY_METRICS_LISTEN` (`host:port`): Prometheus metrics on `/metrics` there; unset: none. */
  readonly metricsListen: string | undefined;
  /** The registry's settings, with the egress policy (`MODELROUTER_EGRESS_*`) its `oip` endpoint URLs are checked against. */
  readonly registry: RegistryConfig;
}

/** Reads and checks the settings once; throws a ConfigError naming every bad variable. */
export function loadConfig(vars: Readonly<Record<string, string | undefined>>, cwd: string): RegistryAppConfig {
  const env = new EnvReader(vars);
  const config = {
    ...readCommonConfig(env),
    listen: env.address("MODELROUTER_REGISTRY_LISTEN", "127.0.0.1:50054"),
    metricsListen: readMetricsListen(env, "MODELROUTER_REGISTRY_METRICS_LISTEN"),
    registry: { ...readRegistryConfig(env, cwd), egress: readEgressPolicy(env) },
  };
  env.done();
  return config;
}
