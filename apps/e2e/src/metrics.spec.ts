import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fromJson } from "@bufbuild/protobuf";
import { PolicySchema } from "@modelrouter/contracts";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { freePort, startModelrouter, type RunningSystem } from "@modelrouter/testing";

/** The services' metrics variables, each with a free port. */
const SERVICES = { router: "ROUTER", analyzer: "ANALYZER", "decision-engine": "DECISION", registry: "REGISTRY", executor: "EXECUTOR" } as const;
type Service = keyof typeof SERVICES;

const mnist = loadSampleIndex().filter((s) => s.kind === "mnist").slice(0, 5);
const imageRequest = (path: string) => ({ payload: { kind: { case: "image" as const, value: { data: readFileSync(path), mimeType: "image/png" } } } });

/** The value of the series `name` whose labels include `labels`, summed over the series that match. */
function valueOf(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of exposition.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) sum = (sum ?? 0) + Number(match[3]);
  }
  return sum;
}

describe("Prometheus metrics of the five services, distributed", () => {
  let system: RunningSystem;
  const metricsAt = {} as Record<Service, string>;
  const scrape = async (service: Service) => {
    const answer = await fetch(`http://${metricsAt[service]}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return { status: answer.status, type: answer.headers.get("content-type"), body: await answer.text() };
  };

  beforeAll(async () => {
    const env: Record<string, string> = {};
    for (const [service, name] of Object.entries(SERVICES)) {
      metricsAt[service as Service] = `127.0.0.1:${await freePort()}`;
      env[`MODELROUTER_${name}_METRICS_LISTEN`] = metricsAt[service as Service];
    }
    system = await startModelrouter("distributed", env);
    const zoo = loadDemoModels();
    for (const name of ["digits-general", "digits-lite"]) await system.registry.registerModel({ model: zoo.find((m) => m.name === name)! });
    await system.registry.applyPolicy({
      policy: fromJson(PolicySchema, {
        name: "digits-metrics",
        rules: [{ name: "images", when: 'input.modality == "image"', route: { targets: [{ model: { name: "digits-general" } }], shadows: [{ model: { name: "digits-lite" } }] } }],
        defaultRoute: { targets: [{ model: { name: "digits-general" } }] },
      }),
    });
    const end = Date.now() + 30_000;
    for (;;) {
      const explained = await system.router.explain({ request: imageRequest(mnist[0]!.path) }).catch(() => undefined);
      if (explained?.decision?.policy === "digits-metrics") break;
      if (Date.now() > end) throw new Error("the policy never reached the decision engine");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const sample of mnist) await system.router.infer(imageRequest(sample.path));
    await system.router.infer({ payload: { kind: { case: "image", value: { data: Buffer.from("not a png"), mimeType: "image/png" } } } }).catch(() => undefined);
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  it("serves every service's metrics on /metrics in Prometheus text format, with the process's own series", async () => {
    for (const service of Object.keys(SERVICES) as Service[]) {
      const { status, type, body } = await scrape(service);
      expect({ service, status, type }).toEqual({ service, status: 200, type: "text/plain; version=0.0.4; charset=utf-8" });
      expect(valueOf(body, "process_resident_memory_bytes", { service })).toBeGreaterThan(0);
      expect(valueOf(body, "process_cpu_user_seconds_total", { service })).toBeGreaterThan(0);
    }
    expect((await fetch(`http://${metricsAt.router}/other`)).status).toBe(404);
  });

  it("counts each service's RPCs by method and status after traffic, the requests of every hop", async () => {
    const [router, analyzer, decision, executor, registry] = await Promise.all((["router", "analyzer", "decision-engine", "executor", "registry"] as const).map(async (s) => (await scrape(s)).body));
    const count = (body: string, service: string, method: string, code?: string) =>
      valueOf(body, "rpc_server_duration_seconds_count", { rpc_service: service, rpc_method: method, ...(code === undefined ? {} : { rpc_grpc_status_code: code }) }) ?? 0;
    expect(count(router!, "modelrouter.router.v1.RouterService", "Infer", "OK")).toBe(mnist.length);
    expect(count(router!, "modelrouter.router.v1.RouterService", "Infer", "INVALID_ARGUMENT")).toBe(1);
    expect(count(analyzer!, "modelrouter.analyzer.v1.AnalyzerService", "Analyze")).toBeGreaterThanOrEqual(mnist.length);
    expect(count(decision!, "modelrouter.decision.v1.DecisionService", "Decide", "OK")).toBeGreaterThanOrEqual(mnist.length);
    expect(count(executor!, "modelrouter.executor.v1.ExecutorService", "Execute", "OK")).toBeGreaterThanOrEqual(mnist.length);
    expect(count(registry!, "modelrouter.registry.v1.RegistryService", "RegisterModel", "OK")).toBe(2);
    expect(valueOf(router!, "rpc_server_active_requests", { rpc_method: "Infer" })).toBe(0);
    expect(valueOf(router!, "rpc_server_duration_seconds_bucket", { rpc_method: "Infer", rpc_grpc_status_code: "OK", le: "+Inf" })).toBe(mnist.length);
  });

  it("reports the executors' pools (workers, queues, tasks by outcome, batches) and the router's admission limit, decision log and executor breakers", async () => {
    const executor = (await scrape("executor")).body;
    const general = { model: "digits-general" };
    expect(valueOf(executor, "modelrouter_executor_workers", { state: "ready" })).toBeGreaterThanOrEqual(1);
    expect(valueOf(executor, "modelrouter_executor_tasks_total", { ...general, outcome: "completed" })).toBeGreaterThanOrEqual(mnist.length);
    expect(valueOf(executor, "modelrouter_executor_batches_total", general)).toBeGreaterThanOrEqual(1);
    expect(valueOf(executor, "modelrouter_executor_queue_depth", general)).toBe(0);
    expect(valueOf(executor, "modelrouter_executor_inference_seconds_total", general)).toBeGreaterThan(0);
    const router = (await scrape("router")).body;
    expect(valueOf(router, "modelrouter_router_admission_limit")).toBeGreaterThan(0);
    expect(valueOf(router, "modelrouter_router_admission_in_flight")).toBe(0);
    expect(valueOf(router, "modelrouter_decision_log_records_total", { result: "recorded" })).toBeGreaterThanOrEqual(mnist.length);
    expect(valueOf(router, "modelrouter_executor_instance_state", { state: "healthy" })).toBe(1);
    expect(valueOf(router, "modelrouter_executor_instance_in_flight")).toBe(0);
  });

  it("counts the router's decisions by policy, rule, model and outcome, and the shadows' comparisons", async () => {
    const end = Date.now() + 10_000;
    let body = (await scrape("router")).body;
    while ((valueOf(body, "modelrouter_shadow_comparisons_total", { model: "digits-lite" }) ?? 0) < mnist.length && Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      body = (await scrape("router")).body;
    }
    expect(valueOf(body, "modelrouter_routing_decisions_total", { policy: "digits-metrics", rule: "images", model: "digits-general", outcome: "OK", fallback: "false" })).toBe(mnist.length);
    expect(valueOf(body, "modelrouter_routing_duration_seconds_count", { policy: "digits-metrics", model: "digits-general" })).toBe(mnist.length);
    expect(valueOf(body, "modelrouter_shadow_comparisons_total", { model: "digits-lite" })).toBe(mnist.length);
  });
});
