/**
 * Startup configuration from environment variables: parsed and validated once, every problem reported
 * together, nothing read from `process.env` anywhere else.
 *
 * @packageDocumentation
 */
export { ConfigError, EnvReader, type IntOptions } from "./env-reader.js";
