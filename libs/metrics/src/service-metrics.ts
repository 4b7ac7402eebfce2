import type { CallObserver } from "@modelrouter/rpc-kit";
import { collectDefaultMetrics, Registry } from "prom-client";
import { createRpcMetrics } from "./rpc-metrics.js";

/** The metrics of one service process. */
export interface ServiceMetrics {
  /** Where every series of the process is registered (a process may add its own: `createRoutingMetrics`). */
  readonly registry: Registry;
  /** The RPC server metrics' observer, for every server of the process (`runHost`'s `observe`). */
  readonly observeCalls: CallObserver;
  /** The exposition's `Content-Type` (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** The exposition: every series, in Prometheus text format. */
  collect(): Promise<string>;
}

/**
 * Creates the metrics of a service process: the RPC server metrics (`createRpcMetrics`) and the process's own
 * from prom-client's default collectors (`process_cpu_seconds_total`, `process_resident_memory_bytes`,
 * `nodejs_eventloop_lag_seconds`, heap and GC), each series labelled `service` (e.g. `router`).
 */
export function createServiceMetrics(options: { readonly service: string }): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    observeCalls: createRpcMetrics(registry),
    contentType: registry.contentType,
    collect: () => registry.metrics(),
  };
}
