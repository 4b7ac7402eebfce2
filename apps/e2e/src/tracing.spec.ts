import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fromJson } from "@bufbuild/protobuf";
import { PolicySchema } from "@modelrouter/contracts";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { formatSpans, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "@modelrouter/testing";
import { startModelrouter, type RunningSystem } from "@modelrouter/testing";

const SERVICES = ["router", "analyzer", "decision-engine", "executor", "registry"];
const HOPS = ["Analyze", "Decide", "Execute", "RecordDecision"];

/** Every span of a routed request has arrived: a SERVER span per service, a router CLIENT span per hop, the attempt. */
function complete(all: readonly ReceivedSpan[], traceId: string): boolean {
  const mine = all.filter((s) => s.traceId === traceId);
  return (
    SERVICES.every((service) => mine.some((s) => s.serviceName === service && s.kind === "SERVER")) &&
    HOPS.every((hop) => mine.some((s) => s.serviceName === "router" && s.kind === "CLIENT" && s.name.endsWith(`/${hop}`))) &&
    mine.some((s) => s.name === "router.attempt")
  );
}

describe("one routed request is one trace across the five processes", () => {
  let receiver: OtlpReceiver;
  let system: RunningSystem;
  let traceId: string;
  let spans: readonly ReceivedSpan[];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    system = await startModelrouter("distributed", { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: "100" });
    await system.registry.registerModel({ model: loadDemoModels().find((m) => m.name === "digits-lowres-specialist")! });
    await system.registry.applyPolicy({
      policy: fromJson(PolicySchema, {
        name: "scans",
        rules: [{ name: "lowres-scans", when: 'request.metadata["image_type"] == "lowres_scan"', route: { targets: [{ model: { name: "digits-lowres-specialist" } }] } }],
      }),
    });
    const sample = loadSampleIndex().find((s) => s.kind === "lowres")!;
    const request = {
      payload: { kind: { case: "image" as const, value: { data: readFileSync(sample.path) } } },
      metadata: { image_type: "lowres_scan" },
    };
    const end = Date.now() + 30_000;
    for (;;) {
      const answer = await system.router.infer(request).catch(() => undefined);
      if (answer !== undefined) {
        traceId = answer.traceId;
        break;
      }
      if (Date.now() > end) throw new Error("the router never answered");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    spans = (await receiver.waitFor((all) => complete(all, traceId), 20_000)).filter((s) => s.traceId === traceId);
  });

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  const one = (predicate: (s: ReceivedSpan) => boolean, what: string): ReceivedSpan => {
    const found = spans.filter(predicate);
    if (found.length !== 1) throw new Error(`expected one ${what}, found ${found.length}:\n${formatSpans(spans)}`);
    return found[0]!;
  };
  const server = (service: string, method: string) =>
    one((s) => s.serviceName === service && s.kind === "SERVER" && s.name.endsWith(`/${method}`), `${service} SERVER ${method}`);
  const client = (method: string) =>
    one((s) => s.serviceName === "router" && s.kind === "CLIENT" && s.name.endsWith(`/${method}`), `router CLIENT ${method}`);

  it("starts at the router's SERVER span, the root of the trace", () => {
    const root = server("router", "Infer");
    expect(root.parentSpanId).toBe("");
    expect(root.name).toBe("modelrouter.router.v1.RouterService/Infer");
    expect(root.attributes).toMatchObject({
      "rpc.system": "grpc",
      "rpc.service": "modelrouter.router.v1.RouterService",
      "rpc.method": "Infer",
      "rpc.grpc.status_code": 0,
      "modelrouter.policy": "scans",
      "modelrouter.rule": "lowres-scans",
      "modelrouter.model": "digits-lowres-specialist",
      "modelrouter.fallback": false,
    });
    expect(root.events.map((e) => e.name)).toContain("route.chosen");
  });

  it("has a span from every service, each SERVER span the child of the router's CLIENT span that called it", () => {
    const root = server("router", "Infer");
    for (const [service, method] of [
      ["analyzer", "Analyze"],
      ["decision-engine", "Decide"],
      ["executor", "Execute"],
      ["registry", "RecordDecision"],
    ] as const) {
      const call = client(method);
      const served = server(service, method);
      expect({ service, parent: served.parentSpanId }).toEqual({ service, parent: call.spanId });
      expect(call.attributes).toMatchObject({ "rpc.system": "grpc", "rpc.method": method, "server.address": "127.0.0.1" });
      expect(served.attributes["rpc.grpc.status_code"]).toBe(0);
      if (method !== "Execute") expect(call.parentSpanId).toBe(root.spanId);
    }
    expect(new Set(spans.map((s) => s.serviceName))).toEqual(new Set(SERVICES));
  });

  it("wraps each model attempt in a span under the root, holding the executor call", () => {
    const attempt = one((s) => s.name === "router.attempt", "router.attempt span");
    expect(attempt.parentSpanId).toBe(server("router", "Infer").spanId);
    expect(attempt.attributes).toMatchObject({ "modelrouter.attempt": 1, "modelrouter.model": "digits-lowres-specialist", "modelrouter.fallback": false });
    expect(client("Execute").parentSpanId).toBe(attempt.spanId);
  });

  it("on SIGTERM, exports the spans it still holds and exits 0", async () => {
    // A second request, then a stop as soon as its decision is logged: its spans are still in the processes'
    // batches (exported every 100 ms at best) when SIGTERM arrives.
    const sample = loadSampleIndex().find((s) => s.kind === "lowres")!;
    const answer = await system.router.infer({
      payload: { kind: { case: "image", value: { data: readFileSync(sample.path) } } },
      metadata: { image_type: "lowres_scan" },
    });
    for (let i = 0; i < 100; i++) {
      if ((await system.registry.getDecision({ requestId: answer.requestId }).catch(() => undefined)) !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const codes = await system.stop();
    expect(codes).toEqual(Object.fromEntries(SERVICES.map((s) => [s, 0])));
    await receiver.waitFor((all) => complete(all, answer.traceId), 10_000);
  });
});
