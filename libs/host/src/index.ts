/**
 * The process shell every modelrouter service runs in: common settings, serving, readiness and shutdown.
 *
 * @packageDocumentation
 */
export { readCommonConfig, type CommonConfig } from "./common-config.js";
export { runHost, type Closeable, type HostOptions, type RunningHost } from "./run-host.js";
export { runMain, MODELROUTER_VERSION } from "./run-main.js";
