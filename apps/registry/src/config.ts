import { EnvReader } from "@modelrouter/config";
import { readEgressPolicy } from "@modelrouter/egress";
import { readCommonConfig, type CommonConfig } from "@modelrouter/host";
import { readRegistryConfig, type RegistryConfig } from "@modelrouter/registry-service";

/** The registry process's settings. */
export interface RegistryAppConfig extends CommonConfig {
  /** `MODELROUTER_REGISTRY_LISTEN`, default 127.0.0.1:50054. */
  readonly listen: string;
  /** The registry's settings, with the egress policy (`MODELROUTER_EGRESS_*`) its `oip` endpoint URLs are checked against. */
  readonly registry: RegistryConfig;
}

/** Reads and checks the settings once; throws a ConfigError naming every bad variable. */
export function loadConfig(vars: Readonly<Record<string, string | undefined>>, cwd: string): RegistryAppConfig {
  const env = new EnvReader(vars);
  const config = {
    ...readCommonConfig(env),
    listen: env.address("MODELROUTER_REGISTRY_LISTEN", "127.0.0.1:50054"),
    registry: { ...readRegistryConfig(env, cwd), egress: readEgressPolicy(env) },
  };
  env.done();
  return config;
}
