/**
 * Prometheus metrics of modelrouter's services (prom-client): each process's RPC server metrics and process
 * metrics (`createServiceMetrics`), and the router's routing metrics (`createRoutingMetrics`). The host serves
 * them on `/metrics`.
 *
 * @packageDocumentation
 */
export { createServiceMetrics, type ServiceMetrics } from "./service-metrics.js";
export { createRpcMetrics, RPC_DURATION_BUCKETS_SECONDS } from "./rpc-metrics.js";
export { createRoutingMetrics, type DecisionObserver } from "./routing-metrics.js";
export { createExecutorMetrics, type PoolModelSnapshot, type PoolSnapshot } from "./executor-metrics.js";
export { createRouterStateMetrics, type ExecutorInstanceSnapshot, type RouterStateSources } from "./router-state-metrics.js";
