import { codeName, type CallObserver, type ObservedCall } from "@modelrouter/rpc-kit";
import { Gauge, Histogram, type Registry } from "prom-client";

/** Buckets of the RPC latency histograms, in seconds: 0.5 ms to 30 s, dense where routing lives (1–50 ms). */
export const RPC_DURATION_BUCKETS_SECONDS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface MethodSeries {
  readonly active: { inc(): void; dec(): void };
  readonly durations: Map<number, { observe(seconds: number): void }>;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The RPC server metrics of a process, after OpenTelemetry's RPC semantic conventions in Prometheus form:
 * `rpc_server_duration_seconds` (a histogram; its `_count` is the requests) by `rpc_system`, `rpc_service`,
 * `rpc_method` and `rpc_grpc_status_code` (the status's name, e.g. `OK`, `RESOURCE_EXHAUSTED`), and
 * `rpc_server_active_requests` (in flight) by system, service and method. Labels come only from the server's
 * own methods and the 17 codes, so their number is bounded. Each method's series are looked up once and kept:
 * a call costs two map lookups and the updates.
 *
 * @param now a monotonic clock in ms (default `performance.now`).
 */
export function createRpcMetrics(registry: Registry, now: () => number = () => performance.now()): CallObserver {
  const duration = new Histogram({
    name: "rpc_server_duration_seconds",
    help: "Time to serve an RPC, from its arrival to its status, by method and status code.",
    labelNames: ["rpc_system", "rpc_service", "rpc_method", "rpc_grpc_status_code"],
    buckets: [...RPC_DURATION_BUCKETS_SECONDS],
    registers: [registry],
  });
  const active = new Gauge({
    name: "rpc_server_active_requests",
    help: "RPCs being served (in flight), by method.",
    labelNames: ["rpc_system", "rpc_service", "rpc_method"],
    registers: [registry],
  });
  const methods = new Map<string, MethodSeries>();
  const seriesOf = (call: ObservedCall): MethodSeries => {
    const key = `${call.system}/${call.service}/${call.method}`;
    let series = methods.get(key);
    if (series === undefined) {
      const labels = { rpc_system: call.system, rpc_service: call.service, rpc_method: call.method };
      series = { active: active.labels(labels), durations: new Map(), labels };
      methods.set(key, series);
    }
    return series;
  };
  return (call) => {
    const series = seriesOf(call);
    series.active.inc();
    const start = now();
    return (code) => {
      series.active.dec();
      let child = series.durations.get(code);
      if (child === undefined) {
        child = duration.labels({ ...series.labels, rpc_grpc_status_code: codeName(code) });
        series.durations.set(code, child);
      }
      child.observe((now() - start) / 1000);
    };
  };
}
