import { EnvReader } from "@modelrouter/config";
import { readExecutorConfig, type ExecutorConfig } from "@modelrouter/executor-service";
import { readCommonConfig, type CommonConfig } from "@modelrouter/host";
import { modelZooDir } from "@modelrouter/model-zoo";

/** The executor process's settings. */
export interface ExecutorAppConfig extends CommonConfig {
  /** `MODELROUTER_EXECUTOR_LISTEN`, default 127.0.0.1:50055. */
  readonly listen: string;
  /**
   * `MODELROUTER_REGISTRY_ADDRESS`: the registry whose models the executor follows (preloading the registered
   * ones, unloading the deregistered ones). Unset: it follows none; models load on first use and unload when
   * idle. The launcher sets it.
   */
  readonly registryAddress: string | undefined;
  readonly executor: ExecutorConfig;
}

/** Reads and checks the settings once; the model root defaults to the model zoo shipped with modelrouter. */
export function loadConfig(vars: Readonly<Record<string, string | undefined>>, cwd: string): ExecutorAppConfig {
  const env = new EnvReader(vars);
  const registry = env.optionalString("MODELROUTER_REGISTRY_ADDRESS");
  const config = {
    ...readCommonConfig(env),
    listen: env.address("MODELROUTER_EXECUTOR_LISTEN", "127.0.0.1:50055"),
    registryAddress: registry === undefined ? undefined : env.address("MODELROUTER_REGISTRY_ADDRESS", registry),
    executor: readExecutorConfig(env, cwd, modelZooDir()),
  };
  env.done();
  return config;
}
