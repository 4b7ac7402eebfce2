import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { DecisionRecordSchema, ModelRefSchema, ShadowResultSchema } from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import { Registry } from "prom-client";
import { createExecutorMetrics, type PoolSnapshot } from "./executor-metrics.js";
import { createRouterStateMetrics } from "./router-state-metrics.js";
import { createRoutingMetrics } from "./routing-metrics.js";
import { createRpcMetrics } from "./rpc-metrics.js";
import { createServiceMetrics } from "./service-metrics.js";

/** The value of one series of an exposition, found by its name and labels (in any order). */
function valueOf(exposition: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of exposition.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (.+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

const GET_MODEL = { system: "grpc", transport: "grpc", service: "modelrouter.registry.v1.RegistryService", method: "GetModel" } as const;

describe("the RPC server metrics", () => {
  it("count each call by method and status name in a latency histogram, and keep the calls in flight", async () => {
    const registry = new Registry();
    let clock = 0;
    const observe = createRpcMetrics(registry, () => clock);
    const first = observe(GET_MODEL);
    const second = observe(GET_MODEL);
    const labels = { rpc_system: "grpc", rpc_service: GET_MODEL.service, rpc_method: "GetModel" };
    expect(valueOf(await registry.metrics(), "rpc_server_active_requests", labels)).toBe(2);
    clock = 3;
    first(Code.OK);
    clock = 40;
    second(Code.NOT_FOUND);
    const text = await registry.metrics();
    expect(valueOf(text, "rpc_server_active_requests", labels)).toBe(0);
    expect(valueOf(text, "rpc_server_duration_seconds_count", { ...labels, rpc_grpc_status_code: "OK" })).toBe(1);
    expect(valueOf(text, "rpc_server_duration_seconds_bucket", { ...labels, rpc_grpc_status_code: "OK", le: "0.005" })).toBe(1);
    expect(valueOf(text, "rpc_server_duration_seconds_bucket", { ...labels, rpc_grpc_status_code: "NOT_FOUND", le: "0.025" })).toBe(0);
    expect(valueOf(text, "rpc_server_duration_seconds_bucket", { ...labels, rpc_grpc_status_code: "NOT_FOUND", le: "0.05" })).toBe(1);
    expect(valueOf(text, "rpc_server_duration_seconds_sum", { ...labels, rpc_grpc_status_code: "NOT_FOUND" })).toBeCloseTo(0.04, 6);
  });
});

describe("the routing metrics", () => {
  it("count decisions by policy, rule, model, outcome and fallback, time them, and count shadow comparisons once they settle", async () => {
    const registry = new Registry();
    const observe = createRoutingMetrics(registry);
    const model = (name: string) => create(ModelRefSchema, { name, version: "1" });
    observe(create(DecisionRecordSchema, { policy: "digits", rule: "small", model: model("digits-lite"), code: 0, latencyMs: 12 }));
    observe(
      create(DecisionRecordSchema, {
        policy: "digits",
        rule: "small",
        model: model("digits-cnn"),
        code: 0,
        fallbackUsed: true,
        latencyMs: 80,
      }),
      Promise.resolve([create(ShadowResultSchema, { model: model("digits-new"), code: 0, sameTopLabel: true }), create(ShadowResultSchema, { model: model("digits-new"), code: 14 })]),
    );
    observe(create(DecisionRecordSchema, { policy: "digits", code: Code.UNAVAILABLE, latencyMs: 5 }));
    await new Promise((resolve) => setImmediate(resolve));
    const text = await registry.metrics();
    expect(valueOf(text, "modelrouter_routing_decisions_total", { policy: "digits", rule: "small", model: "digits-lite", outcome: "OK", fallback: "false" })).toBe(1);
    expect(valueOf(text, "modelrouter_routing_decisions_total", { policy: "digits", rule: "small", model: "digits-cnn", outcome: "OK", fallback: "true" })).toBe(1);
    expect(valueOf(text, "modelrouter_routing_decisions_total", { policy: "digits", rule: "", model: "", outcome: "UNAVAILABLE", fallback: "false" })).toBe(1);
    expect(valueOf(text, "modelrouter_routing_fallbacks_total", { policy: "digits", model: "digits-cnn" })).toBe(1);
    expect(valueOf(text, "modelrouter_routing_duration_seconds_count", { policy: "digits", model: "digits-lite" })).toBe(1);
    expect(valueOf(text, "modelrouter_shadow_comparisons_total", { model: "digits-new", result: "same_top_label" })).toBe(1);
    expect(valueOf(text, "modelrouter_shadow_comparisons_total", { model: "digits-new", result: "failed" })).toBe(1);
  });
});

describe("a service's metrics", () => {
  it("expose the process's own series and the RPC metrics in Prometheus text format, labelled with the service", async () => {
    const metrics = createServiceMetrics({ service: "registry" });
    metrics.observeCalls(GET_MODEL)(Code.OK);
    const text = await metrics.collect();
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toMatch(/^# HELP process_cpu_user_seconds_total /m);
    expect(valueOf(text, "process_resident_memory_bytes", { service: "registry" })).toBeGreaterThan(0);
    expect(valueOf(text, "rpc_server_duration_seconds_count", { service: "registry", rpc_method: "GetModel", rpc_grpc_status_code: "OK" })).toBe(1);
  });
});

describe("the executor's metrics", () => {
  it("read the worker pool's counters when scraped: workers, queues, tasks by outcome, time in the model and in queue, batch sizes", async () => {
    const registry = new Registry();
    const lite = { model: "digits-lite", version: "1", inFlight: 2, queued: 5, completed: 40, failed: 1, rejected: 3, expired: 0, cancelled: 0, inferenceMsSum: 120, queueMsSum: 30, runs: 12, batchSizes: { "1": 4, "8": 8 } };
    let pool: PoolSnapshot = { workers: 2, readyWorkers: 1, queued: 5, maxQueued: 256, workerRestarts: 0, models: [lite] };
    createExecutorMetrics(registry, () => pool);
    let text = await registry.metrics();
    const m = { model: "digits-lite", version: "1" };
    expect(valueOf(text, "modelrouter_executor_workers", { state: "ready" })).toBe(1);
    expect(valueOf(text, "modelrouter_executor_queue_depth", m)).toBe(5);
    expect(valueOf(text, "modelrouter_executor_in_flight", m)).toBe(2);
    expect(valueOf(text, "modelrouter_executor_queue_capacity", {})).toBe(256);
    expect(valueOf(text, "modelrouter_executor_tasks_total", { ...m, outcome: "rejected" })).toBe(3);
    expect(valueOf(text, "modelrouter_executor_tasks_total", { ...m, outcome: "expired" })).toBeUndefined();
    expect(valueOf(text, "modelrouter_executor_inference_seconds_total", m)).toBeCloseTo(0.12, 6);
    expect(valueOf(text, "modelrouter_executor_batches_total", { ...m, size: "8" })).toBe(8);
    pool = { ...pool, readyWorkers: 2, workerRestarts: 1, models: [{ ...lite, queued: 0, completed: 41 }] };
    text = await registry.metrics();
    expect(valueOf(text, "modelrouter_executor_queue_depth", m)).toBe(0);
    expect(valueOf(text, "modelrouter_executor_tasks_total", { ...m, outcome: "completed" })).toBe(41);
    expect(valueOf(text, "modelrouter_executor_worker_restarts_total", {})).toBe(1);
  });
});

describe("the router's state metrics", () => {
  it("read admission control's limit, the decision log's counters and the executor instances' breakers when scraped", async () => {
    const registry = new Registry();
    createRouterStateMetrics(registry, {
      admission: () => ({ limit: 24, inFlight: 7 }),
      decisionLog: () => ({ recorded: 90, dropped: 2, failed: 1 }),
      executors: () => [
        { name: "10.0.0.5:50055", state: "healthy", inFlight: 3 },
        { name: "10.0.0.6:50055", state: "ejected", inFlight: 0 },
      ],
    });
    const text = await registry.metrics();
    expect(valueOf(text, "modelrouter_executor_instance_state", { executor: "10.0.0.6:50055", state: "ejected" })).toBe(1);
    expect(valueOf(text, "modelrouter_executor_instance_state", { executor: "10.0.0.6:50055", state: "healthy" })).toBe(0);
    expect(valueOf(text, "modelrouter_executor_instance_in_flight", { executor: "10.0.0.5:50055" })).toBe(3);
    expect(valueOf(text, "modelrouter_router_admission_limit", {})).toBe(24);
    expect(valueOf(text, "modelrouter_router_admission_in_flight", {})).toBe(7);
    expect(valueOf(text, "modelrouter_decision_log_records_total", { result: "dropped" })).toBe(2);
    const off = new Registry();
    createRouterStateMetrics(off, { decisionLog: () => ({ recorded: 0, dropped: 0, failed: 0 }) });
    expect(await off.metrics()).not.toContain("modelrouter_router_admission_limit");
  });
});
