import { EnvReader } from "@modelrouter/config";
import { readCommonConfig, readMetricsListen, type CommonConfig } from "@modelrouter/host";

/** The analyzer process's settings. */
export interface AnalyzerConfig extends CommonConfig {
  /** `MODELROUTER_ANALYZER_LISTEN`, default 127.0.0.1:50052. */
  readonly listen: string;
  /** `MODELROUTER_ANALYZER_METRICS_LISTEN` (`host:port`): Prometheus metrics on `/metrics` there; unset: none. */
  readonly metricsListen: string | undefined;
}

/** Reads and checks the settings once; throws a ConfigError naming every bad variable. */
export function loadConfig(vars: Readonly<Record<string, string | undefined>>): AnalyzerConfig {
  const env = new EnvReader(vars);
  const config = {
    ...readCommonConfig(env),
    listen: env.address("MODELROUTER_ANALYZER_LISTEN", "127.0.0.1:50052"),
    metricsListen: readMetricsListen(env, "MODELROUTER_ANALYZER_METRICS_LISTEN"),
  };
  env.done();
  return config;
}
