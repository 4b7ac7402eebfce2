/**
 * Observability that every module may use without starting anything: the structured logger, routing span
 * attributes and span helpers. Starting the OpenTelemetry SDK is `@modelrouter/telemetry/sdk`, for `main.ts`.
 *
 * @packageDocumentation
 */
export { createLogger, type Logger, type LoggerOptions, type LogLevel, type LogFields } from "./logger.js";
export { RouteAttr, RouteEvent } from "./attributes.js";
export { withSpan } from "./spans.js";
