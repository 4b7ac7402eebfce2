import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Span } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { AnalyzerService } from "@modelrouter/contracts";
import type { CallContext } from "./call-context.js";
import { directTopology, grpcTopology, scriptedAnalyzer, tunnelTopology, type Topology } from "./kit.test-support.js";
import { ANONYMOUS_ADMIN } from "./identity.js";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const text = (value: string) => ({ payload: { kind: { case: "text" as const, value } } });

// As startTelemetry does: no context manager, so trace context must travel with the call contexts.
beforeAll(() => provider.register({ contextManager: null }));
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

/** The context of a call being handled, whose span is `span`: what a handler passes as `parent`. */
function callerOf(span: Span): CallContext {
  return {
    method: "/test.Caller/Handle",
    deadline: Number.POSITIVE_INFINITY,
    transport: "direct",
    identity: ANONYMOUS_ADMIN,
    traceContext: trace.setSpan(ROOT_CONTEXT, span),
    signal: new AbortController().signal,
    header: () => undefined,
  };
}

function byKind(spans: readonly ReadableSpan[], kind: SpanKind): ReadableSpan[] {
  return spans.filter((s) => s.kind === kind);
}

describe("tracing over gRPC", () => {
  let topology: Topology<typeof AnalyzerService>;
  beforeAll(async () => {
    topology = await grpcTopology(AnalyzerService, scriptedAnalyzer({ contexts: [], aborted: [], unexpected: [] }, () => topology.client));
  });
  afterAll(() => topology.close());

  it("makes a CLIENT and a SERVER span per hop, in one trace, the SERVER span a child of the CLIENT span", async () => {
    exporter.reset();
    const root = trace.getTracer("test").startSpan("root");
    await topology.client.analyze(text("downstream:ok"), { parent: callerOf(root) });
    root.end();
    const spans = exporter.getFinishedSpans();
    const clients = byKind(spans, SpanKind.CLIENT);
    const servers = byKind(spans, SpanKind.SERVER);
    expect(clients).toHaveLength(2);
    expect(servers).toHaveLength(2);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    const [outerClient, innerClient] = [...clients].sort((a, b) => Number(a.startTime[1] - b.startTime[1]) + (a.startTime[0] - b.startTime[0]) * 1e9);
    const serverOf = (client: ReadableSpan) => servers.find((s) => s.parentSpanContext?.spanId === client.spanContext().spanId);
    expect(serverOf(outerClient!)).toBeDefined();
    expect(serverOf(innerClient!)).toBeDefined();
    expect(innerClient!.parentSpanContext?.spanId).toBe(serverOf(outerClient!)!.spanContext().spanId);
    expect(outerClient!.name).toBe("modelrouter.analyzer.v1.AnalyzerService/Analyze");
    expect(outerClient!.attributes).toMatchObject({
      "rpc.system": "grpc",
      "rpc.service": "modelrouter.analyzer.v1.AnalyzerService",
      "rpc.method": "Analyze",
      "rpc.grpc.status_code": 0,
      "server.address": "127.0.0.1",
    });
  });

  it("marks both sides of a failed call as errors with the status code", async () => {
    exporter.reset();
    await topology.client.analyze(text("not-found")).catch(() => undefined);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.attributes["rpc.grpc.status_code"]).toBe(5);
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
    }
  });
});

describe("tracing through a tunnel", () => {
  let topology: Topology<typeof AnalyzerService>;
  beforeAll(async () => {
    topology = await tunnelTopology(AnalyzerService, scriptedAnalyzer({ contexts: [], aborted: [], unexpected: [] }, () => topology.client));
  });
  afterAll(() => topology.close());

  it("keeps one CLIENT and one SERVER span per call, linked, and no span for the stream itself", async () => {
    exporter.reset();
    const root = trace.getTracer("test").startSpan("root");
    await topology.client.analyze(text("downstream:ok"), { parent: callerOf(root) });
    root.end();
    const spans = exporter.getFinishedSpans();
    expect(spans.filter((s) => s.name.includes("TunnelService"))).toEqual([]);
    const clients = byKind(spans, SpanKind.CLIENT);
    const servers = byKind(spans, SpanKind.SERVER);
    expect(clients).toHaveLength(2);
    expect(servers).toHaveLength(2);
    for (const client of clients) {
      expect(servers.some((s) => s.parentSpanContext?.spanId === client.spanContext().spanId)).toBe(true);
    }
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
  });
});

describe("tracing in the co-located topology", () => {
  it("makes one span per in-process hop, a child of the caller's span", async () => {
    exporter.reset();
    const topology: Topology<typeof AnalyzerService> = directTopology(
      AnalyzerService,
      scriptedAnalyzer({ contexts: [], aborted: [], unexpected: [] }, () => topology.client),
    );
    const root = trace.getTracer("test").startSpan("root");
    await topology.client.analyze(text("downstream:ok"), { parent: callerOf(root) });
    root.end();
    const spans = exporter.getFinishedSpans();
    const hops = byKind(spans, SpanKind.INTERNAL).filter((s) => s.name.endsWith("/Analyze"));
    expect(hops).toHaveLength(2);
    const outer = hops.find((s) => s.parentSpanContext?.spanId === root.spanContext().spanId);
    const inner = hops.find((s) => s.parentSpanContext?.spanId === outer?.spanContext().spanId);
    expect(outer).toBeDefined();
    expect(inner).toBeDefined();
    expect(inner!.attributes["rpc.system"]).toBe("modelrouter_direct");
  });
});
