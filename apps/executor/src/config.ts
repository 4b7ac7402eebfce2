import { EnvReader } from "@modelrouter/config";
import { FAULTS_SETTING, parseFaults, readExecutorConfig, type ExecutorConfig, type FaultRule } from "@modelrouter/executor-service";
import { readCommonConfig, readMetricsListen, type CommonConfig } from "@modelrouter/host";
import { modelZooDir } from "@modelrouter/model-zoo";

/** The executor process's settings. */
export interface ExecutorAppConfig extends CommonConfig {
  /** `MODELROUTER_EXECUTOR_LISTEN`, default 127.0.0.1:50055. */
  readonly listen: string;
  /** `MODELROUTER_EXECUTOR_METRICS_LISTEN` (`host:port`): Prometheus metrics on `/metrics` there; unset: none. */
  readonly metricsListen: string | undefined;
  /**
   * `MODELROUTER_REGISTRY_ADDRESS`: the registry whose models the executor follows (preloading the registered
   * ones, unloading the deregistered ones). Unset: it follows none; models load on first use and unload when
   * idle. The launcher sets it.
   */
  readonly registryAddress: string | undefined;
  readonly executor: ExecutorConfig;
  /**
   * `MODELROUTER_EXECUTOR_FAULTS`: faults to inject, for chaos tests and benchmarks (a JSON list, see
   * `parseFaults`); unset: none.
   */
  readonly faults: readonly FaultRule[];
  /**
   * `MODELROUTER_EXECUTOR_OIP_HTTP_LISTEN`: where the executor serves the Open Inference Protocol v2 over REST
   * (`host:port`); unset: not at all. OIP over gRPC is always served on the executor's gRPC port. Refused with
   * authentication on (the REST endpoint takes no credential).
   */
  readonly oipHttpListen: string | undefined;
}

/** Reads and checks the settings once; the model root defaults to the model zoo shipped with modelrouter. */
export function loadConfig(vars: Readonly<Record<string, string | undefined>>, cwd: string): ExecutorAppConfig {
  const env = new EnvReader(vars);
  const registry = env.optionalString("MODELROUTER_REGISTRY_ADDRESS");
  const oipHttp = env.optionalString("MODELROUTER_EXECUTOR_OIP_HTTP_LISTEN");
  const config = {
    ...readCommonConfig(env),
    listen: env.address("MODELROUTER_EXECUTOR_LISTEN", "127.0.0.1:50055"),
    metricsListen: readMetricsListen(env, "MODELROUTER_EXECUTOR_METRICS_LISTEN"),
    registryAddress: registry === undefined ? undefined : env.address("MODELROUTER_REGISTRY_ADDRESS", registry),
    executor: readExecutorConfig(env, cwd, modelZooDir()),
    faults: readFaults(env),
    oipHttpListen: oipHttp === undefined ? undefined : env.address("MODELROUTER_EXECUTOR_OIP_HTTP_LISTEN", oipHttp),
  };
  if (config.auth.mode === "on" && oipHttp !== undefined) {
    env.problem(
      "MODELROUTER_EXECUTOR_OIP_HTTP_LISTEN: the OIP REST endpoint takes no credential, so it cannot be served with MODELROUTER_AUTH=on: " +
        "unset it (OIP clients call the executor's gRPC port, which authenticates them)",
    );
  }
  env.done();
  return config;
}

function readFaults(env: EnvReader): readonly FaultRule[] {
  const { rules, problems } = parseFaults(env.optionalString(FAULTS_SETTING));
  for (const problem of problems) env.problem(problem);
  return rules;
}
