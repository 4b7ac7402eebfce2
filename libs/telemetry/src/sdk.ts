import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";

/** Options of {@link startTelemetry}. */
export interface TelemetryOptions {
  /** `service.name`: router, analyzer, decision-engine, registry or executor. */
  readonly serviceName: string;
  readonly serviceVersion: string;
  /**
   * The environment to read `OTEL_SDK_DISABLED`, `OTEL_SERVICE_NAME` and `OTEL_BSP_*` from. Default:
   * `process.env`. The exporter (endpoint, headers, compression, timeout) and the sampler read their standard
   * `OTEL_*` variables from `process.env` themselves.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The running telemetry of a process. */
export interface Telemetry {
  readonly enabled: boolean;
  /** Exports what is buffered and stops. Never rejects, and gives up after `timeoutMs`. */
  shutdown(timeoutMs?: number): Promise<void>;
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : fallback;
}

/**
 * Starts OpenTelemetry tracing for this process: spans are batched and exported over OTLP/HTTP (protobuf) to
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else Jaeger's
 * default `http://localhost:4318/v1/traces`. Sampling follows `OTEL_TRACES_SAMPLER` (default: parent-based,
 * always on). `OTEL_SDK_DISABLED=true` turns it off. When nothing listens, export fails quietly: no log lines,
 * no effect on requests. No context manager is registered: spans are parented explicitly (the RPC kit carries
 * each call's trace context in its `CallContext`), so the active span is always none. Call it first in
 * `main.ts`, before any span can start.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const env = options.env ?? process.env;
  if ((env["OTEL_SDK_DISABLED"] ?? "").toLowerCase() === "true") {
    return { enabled: false, shutdown: () => Promise.resolve() };
  }
  const processor = new BatchSpanProcessor(new OTLPTraceExporter(), {
    scheduledDelayMillis: positiveInt(env["OTEL_BSP_SCHEDULE_DELAY"], 1000),
    maxQueueSize: positiveInt(env["OTEL_BSP_MAX_QUEUE_SIZE"], 4096),
    maxExportBatchSize: positiveInt(env["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"], 512),
    exportTimeoutMillis: positiveInt(env["OTEL_BSP_EXPORT_TIMEOUT"], 10_000),
  });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env["OTEL_SERVICE_NAME"] ?? options.serviceName,
      [ATTR_SERVICE_VERSION]: options.serviceVersion,
    }),
    spanProcessors: [processor],
  });
  // No context manager: trace context travels with each call's CallContext (rpc-kit), not through
  // AsyncLocalStorage, whose promise hooks cost ~9 % of co-located capacity on Node 20.
  provider.register({ contextManager: null });
  return {
    enabled: true,
    shutdown: (timeoutMs = 5000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        timer.unref();
        provider.shutdown().then(
          () => {
            clearTimeout(timer);
            resolve();
          },
          () => {
            clearTimeout(timer);
            resolve();
          },
        );
      }),
  };
}
