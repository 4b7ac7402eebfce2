import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { ExecuteRequestSchema } from "@modelrouter/contracts";
import { parseEgressPolicy } from "@modelrouter/egress";
import { createLogger } from "@modelrouter/telemetry";
import { context, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { egressEndpointAccess } from "../oip-client/endpoint-access.js";
import { createChatModels } from "./chat-models.js";
import { FAKE_CHAT_MODEL, type FakeOpenAiServer, startFakeOpenAiServer } from "./openai-server.test-support.js";

const SECRET = "sk-span-secret-value";
const access = egressEndpointAccess(parseEgressPolicy({ MODELROUTER_EGRESS_ALLOW: "127.0.0.1" }).policy!, { GOOD: SECRET, BAD: `${SECRET}-bad` });

describe("the span of a chat call", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let server: FakeOpenAiServer;

  beforeAll(async () => {
    provider.register({ contextManager: null });
    server = await startFakeOpenAiServer({ token: SECRET });
  });

  afterAll(async () => {
    await server.close();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  const request = (credential: string) =>
    create(ExecuteRequestSchema, {
      requestId: "r",
      model: { name: "assistant", version: "1" },
      backend: { kind: { case: "openai", value: { endpoints: [{ url: server.url, credential }], modelName: FAKE_CHAT_MODEL } } },
      payload: { kind: { case: "text", value: "one two three" } },
    });

  it("is executor.openai_chat with the GenAI attributes, and the server gets its traceparent", async () => {
    const models = createChatModels({ access, healthIntervalMs: 0, logger: createLogger({ service: "t", write: () => undefined }) });
    const stream = models.stream(request("env:GOOD"), { deadline: Date.now() + 5_000, signal: new AbortController().signal, traceContext: ROOT_CONTEXT });
    for (let step = await stream.next(); step.done !== true; step = await stream.next());
    models.close();
    const span = exporter.getFinishedSpans().find((s) => s.name === "executor.openai_chat");
    expect(span?.attributes).toMatchObject({
      "gen_ai.system": "openai",
      "gen_ai.request.model": FAKE_CHAT_MODEL,
      "gen_ai.usage.input_tokens": 3,
      "gen_ai.usage.output_tokens": 3,
      "gen_ai.response.finish_reasons": ["stop"],
    });
    const context = span?.spanContext();
    expect(server.requests.at(-1)?.headers.traceparent).toBe(`00-${context?.traceId}-${context?.spanId}-01`);
  });

  it("records a failure without the credential, even when the server echoes it", async () => {
    exporter.reset();
    const models = createChatModels({ access, healthIntervalMs: 0, logger: createLogger({ service: "t", write: () => undefined }) });
    const call = { deadline: Date.now() + 5_000, signal: new AbortController().signal, traceContext: ROOT_CONTEXT };
    await models.execute(request("env:GOOD"), call);
    server.failNext(1, 401, `Incorrect API key provided: ${SECRET}.`);
    await expect(models.execute(request("env:GOOD"), call)).rejects.toThrow("Incorrect API key provided: [credential].");
    models.close();
    const failed = exporter.getFinishedSpans().filter((s) => s.name === "executor.openai_chat" && s.status.message !== undefined);
    expect(failed).toHaveLength(1);
    expect(JSON.stringify(failed.map((s) => ({ attributes: s.attributes, events: s.events, status: s.status })))).toContain("[credential]");
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => ({ attributes: s.attributes, events: s.events, status: s.status })))).not.toContain(SECRET);
  });
});
