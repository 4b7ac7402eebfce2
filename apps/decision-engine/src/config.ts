import { EnvReader } from "@modelrouter/config";
import { readCommonConfig, type CommonConfig } from "@modelrouter/host";

/** The decision engine process's settings. */
export interface DecisionAppConfig extends CommonConfig {
  /** `MODELROUTER_DECISION_LISTEN`, default 127.0.0.1:50053. */
  readonly listen: string;
  /** `MODELROUTER_REGISTRY_ADDRESS`, default 127.0.0.1:50054: the registry whose models and policies it follows. */
  readonly registryAddress: string;
}

/** Reads and checks the settings once; throws a ConfigError naming every bad variable. */
export function loadConfig(vars: Readonly<Record<string, string | undefined>>): DecisionAppConfig {
  const env = new EnvReader(vars);
  const config = {
    ...readCommonConfig(env),
    listen: env.address("MODELROUTER_DECISION_LISTEN", "127.0.0.1:50053"),
    registryAddress: env.address("MODELROUTER_REGISTRY_ADDRESS", "127.0.0.1:50054"),
  };
  env.done();
  return config;
}
