import { readAuthConfig, type AuthConfig } from "@modelrouter/auth";
import type { EnvReader } from "@modelrouter/config";
import type { LogLevel } from "@modelrouter/telemetry";
import { readTlsConfig, type TlsConfig } from "./tls-config.js";

/** Settings every service process has. */
export interface CommonConfig {
  readonly logLevel: LogLevel;
  /** How long a SIGTERM waits for in-flight calls before closing connections, in ms. */
  readonly shutdownGraceMs: number;
  /** The deadline of an internal call made without a parent call, in ms. */
  readonly callTimeoutMs: number;
  /** Authentication (`MODELROUTER_AUTH`, `MODELROUTER_INTERNAL_TOKEN`, `MODELROUTER_ADMIN_TOKEN`, `MODELROUTER_JWT_*`, …). */
  readonly auth: AuthConfig;
  /** TLS on the listeners and on calls to other services (`MODELROUTER_TLS_*`; files read by `loadServiceTls`). */
  readonly tls: TlsConfig;
}

/**
 * Reads `MODELROUTER_LOG_LEVEL`, `MODELROUTER_SHUTDOWN_GRACE`, `MODELROUTER_CALL_TIMEOUT`, the authentication
 * settings (`readAuthConfig`) and the TLS settings (`readTlsConfig`).
 */
export function readCommonConfig(env: EnvReader): CommonConfig {
  return {
    logLevel: env.oneOf("MODELROUTER_LOG_LEVEL", ["debug", "info", "warn", "error"] as const, "info"),
    shutdownGraceMs: env.durationMs("MODELROUTER_SHUTDOWN_GRACE", 10_000),
    callTimeoutMs: env.durationMs("MODELROUTER_CALL_TIMEOUT", 10_000),
    auth: readAuthConfig(env),
    tls: readTlsConfig(env),
  };
}
