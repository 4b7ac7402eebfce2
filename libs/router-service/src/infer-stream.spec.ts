import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  PayloadSchema,
  RouterService,
  type ExecutorService,
  type InferStreamRequestSchema,
  type InferStreamResponse,
} from "@modelrouter/contracts";
import { Code, RpcError, createDirectClient, isRpcError, type CallOptions, type ServiceImpl } from "@modelrouter/rpc-kit";
import { context, propagation, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { compiledPolicy, digitImage, modelTarget, startInProcessServices, type InProcessServices } from "./in-process-services.test-support.js";
import type { Router, RouterDependencies } from "./router-service.js";
import { FIRST_TOKEN_EVENT, GenAiAttr } from "./run-attempt.js";
import { ScriptedChatExecutor, chatModel, type ChatScript } from "./scripted-chat-executor.test-support.js";

const chat = create(PayloadSchema, { kind: { case: "chat", value: { messages: [{ role: "user", content: "Say hello to the router." }] } } });

/** chat-main answers, chat-backup is its fallback; with a shadow, every request is mirrored to it. */
function chatPolicy(shadow?: string) {
  return compiledPolicy({
    name: "chat",
    defaultRoute: {
      targets: [modelTarget("chat-main")],
      fallbacks: [modelTarget("chat-backup")],
      ...(shadow === undefined ? {} : { shadows: [{ model: { name: shadow } }] }),
    },
  });
}

type Event = InferStreamResponse["event"];

/** Everything a stream sent, in order, and the error that ended it (undefined: it completed). */
async function drain(stream: AsyncIterable<InferStreamResponse>): Promise<{ events: Event[]; error: RpcError | undefined }> {
  const events: Event[] = [];
  try {
    for await (const message of stream) events.push(message.event);
    return { events, error: undefined };
  } catch (error) {
    if (!isRpcError(error)) throw error;
    return { events, error };
  }
}

const kinds = (events: readonly Event[]) => events.map((e) => (e.case === "delta" ? `delta:${e.value.text}` : (e.case ?? "none")));

describe("InferStream: the decision first, then the answer as the model generates it, then the whole response", () => {
  let services: InProcessServices;
  const routers: Router[] = [];
  const spans = new InMemorySpanExporter();
  const tracing = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });

  beforeAll(async () => {
    tracing.register({ contextManager: null });
    services = await startInProcessServices(["chat-main", "chat-backup", "chat-shadow"].map((name) => chatModel(name)));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(routers.map((r) => r.close()));
    await services?.close();
    await tracing.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  /** A router over a scripted executor that answers each chat model by its script. */
  function start(scripts: Readonly<Record<string, ChatScript>>, options: { shadow?: string; executorImpl?: ServiceImpl<typeof ExecutorService> } & Partial<RouterDependencies> = {}) {
    const executor = new ScriptedChatExecutor(scripts);
    const { shadow, executorImpl = executor.impl, ...rest } = options;
    const router = services.router([chatPolicy(shadow)], { executorImpl, ...rest });
    routers.push(router);
    const client = createDirectClient(RouterService, router.impl, { defaultTimeoutMs: 10_000 });
    const stream = (request: MessageInitShape<typeof InferStreamRequestSchema>, callOptions?: CallOptions) => client.inferStream(request, callOptions);
    const recorded = async (requestId: string) => {
      await router.recorder.settled(requestId);
      return (await services.registry.getDecision({ requestId })).decision!;
    };
    return { executor, router, client, stream, recorded };
  }

  it("sends start (the decision), each delta as the model makes it, then done (what Infer answers)", async () => {
    const { stream, recorded } = start({ "chat-main": { deltas: ["Hello", ", ", "router."] } });
    const { events, error } = await drain(stream({ request: { requestId: "stream-order", payload: chat } }));
    expect(error).toBeUndefined();
    expect(kinds(events)).toEqual(["start", "delta:Hello", "delta:, ", "delta:router.", "done"]);
    const [first, , , , last] = events;
    expect(first?.case === "start" && first.value).toMatchObject({
      requestId: "stream-order",
      policy: "chat",
      rule: "",
      model: { name: "chat-main", version: "1" },
      fallbacks: [{ name: "chat-backup", version: "1" }],
    });
    expect(last?.case === "done" && last.value).toMatchObject({
      requestId: "stream-order",
      model: { name: "chat-main" },
      fallbackUsed: false,
      outputs: [{ value: { case: "generation", value: { text: "Hello, router.", finishReason: "stop" } } }],
      attempts: [{ model: { name: "chat-main" }, code: Code.OK }],
    });
    const record = await recorded("stream-order");
    expect(record).toMatchObject({ code: Code.OK, model: { name: "chat-main" }, streamed: true, topLabel: "", usage: { promptTokens: 5, completionTokens: 3, totalTokens: 8 } });
  });

  it("falls back to the next model when the target fails before its first delta: done says so, the attempts list both", async () => {
    const { stream, executor } = start({
      "chat-main": { deltas: ["never"], failAfter: 0 },
      "chat-backup": { deltas: ["from ", "the backup"] },
    });
    const { events, error } = await drain(stream({ request: { payload: chat } }));
    expect(error).toBeUndefined();
    expect(kinds(events)).toEqual(["start", "delta:from ", "delta:the backup", "done"]);
    const done = events.at(-1);
    expect(done?.case === "done" && done.value).toMatchObject({
      model: { name: "chat-backup" },
      fallbackUsed: true,
      attempts: [
        { model: { name: "chat-main" }, code: Code.UNAVAILABLE },
        { model: { name: "chat-backup" }, code: Code.OK },
      ],
    });
    expect(executor.calls).toEqual(["chat-main", "chat-backup"]);
  });

  it("does not fall back once a delta was sent: the stream ends with the model's error after its deltas, counted as a failure", async () => {
    const { stream, executor, router, recorded } = start(
      {
        "chat-main": { deltas: ["Half ", "an ", "answer"], failAfter: 2, error: new RpcError({ code: Code.UNAVAILABLE, message: "the model server's stream broke" }) },
        "chat-backup": { deltas: ["unused"] },
      },
      { modelStats: { intervalMs: 3_600_000, reporter: "spec", timer: () => () => undefined } },
    );
    const { events, error } = await drain(stream({ request: { requestId: "stream-broke", payload: chat } }));
    expect(kinds(events)).toEqual(["start", "delta:Half ", "delta:an "]);
    expect(error?.code).toBe(Code.UNAVAILABLE);
    expect(error?.message).toMatch(/^the answer stream broke off after 2 deltas; the text sent so far is incomplete: /);
    expect(executor.calls).toEqual(["chat-main"]);
    const record = await recorded("stream-broke");
    expect(record).toMatchObject({ code: Code.UNAVAILABLE, streamed: true, attempted: [{ name: "chat-main" }] });
    const counted = router.modelStats!.collector.drain().deltas.map((d) => [d.model?.name, d.requests, d.errorsByCode]);
    expect(counted).toEqual([["chat-main", 1n, { [Code.UNAVAILABLE]: 1n }]]);
  });

  it("cancels the executor's stream when the client stops reading, and logs the request as cancelled", async () => {
    const { stream, executor, recorded } = start({ "chat-main": { deltas: ["one ", "two ", "three"], stallAfter: 2 } });
    const seen: Event[] = [];
    for await (const message of stream({ request: { requestId: "stream-cancel", payload: chat } })) {
      seen.push(message.event);
      if (message.event.case === "delta") break;
    }
    expect(kinds(seen)).toEqual(["start", "delta:one "]);
    await executor.whenAbandoned();
    expect(executor.abandoned).toEqual(["chat-main"]);
    const record = await recorded("stream-cancel");
    expect(record).toMatchObject({ code: Code.CANCELLED, streamed: true, attempted: [{ name: "chat-main" }] });
  });

  it("holds the whole stream to the request's deadline: a model that stalls mid-answer is cancelled, the stream ends DEADLINE_EXCEEDED", async () => {
    const { stream, executor } = start({ "chat-main": { deltas: ["slow ", "never"], stallAfter: 1 } });
    const { events, error } = await drain(stream({ request: { payload: chat } }, { timeoutMs: 2000 }));
    expect(kinds(events)).toEqual(["start", "delta:slow "]);
    expect(error?.code).toBe(Code.DEADLINE_EXCEEDED);
    await executor.whenAbandoned();
    expect(executor.abandoned).toEqual(["chat-main"]);
  });

  it("answers a model that does not stream (an ONNX model on the real executor) with start, then done", async () => {
    const digits = compiledPolicy({ name: "digits", defaultRoute: { targets: [modelTarget("digits-general")] } });
    const router = services.router([digits]);
    routers.push(router);
    const client = createDirectClient(RouterService, router.impl, { defaultTimeoutMs: 10_000 });
    const { events, error } = await drain(client.inferStream({ request: { payload: digitImage } }));
    expect(error).toBeUndefined();
    expect(kinds(events)).toEqual(["start", "done"]);
    const done = events[1];
    expect(done?.case === "done" && done.value.outputs[0]?.value.case).toBe("classification");
  });

  it.each<[string, MessageInitShape<typeof InferStreamRequestSchema>, string]>([
    ["no request", {}, "request"],
    ["a bad request id", { request: { requestId: "not an id!", payload: chat } }, "request.request_id"],
    ["no payload", { request: {} }, "request.payload"],
  ])("refuses %s as the stream's status, before any message, naming the field", async (_, request, field) => {
    const { stream, executor } = start({});
    const { events, error } = await drain(stream(request));
    expect(events).toEqual([]);
    expect(error?.code).toBe(Code.INVALID_ARGUMENT);
    expect(error?.violations.map((v) => v.field)).toContain(field);
    expect(executor.calls).toEqual([]);
  });

  it("puts the GenAI token usage on the attempt's span and a first_token event at the first delta, and reads the executor's stream to its OK end", async () => {
    const { stream } = start({ "chat-main": { deltas: ["a", "b"] } });
    spans.reset();
    const { error } = await drain(stream({ request: { requestId: "stream-spans", payload: chat } }));
    expect(error).toBeUndefined();
    const attempt = spans.getFinishedSpans().find((s) => s.name === "router.attempt");
    expect(attempt?.attributes).toMatchObject({ [GenAiAttr.INPUT_TOKENS]: 5, [GenAiAttr.OUTPUT_TOKENS]: 2 });
    const firstToken = attempt?.events.filter((e) => e.name === FIRST_TOKEN_EVENT) ?? [];
    expect(firstToken).toHaveLength(1);
    expect(typeof firstToken[0]?.attributes?.["time_to_first_token_ms"]).toBe("number");
    // The executor's stream was read to its end: its hop ended OK, not cancelled.
    const hops = spans.getFinishedSpans().filter((s) => s.attributes["rpc.method"] === "ExecuteStream");
    expect(hops.length).toBeGreaterThan(0);
    expect(hops.map((s) => s.attributes["rpc.grpc.status_code"])).toEqual(hops.map(() => Code.OK));
  });

  it("logs Infer of a chat model with its usage and no top label, not streamed", async () => {
    const { client, recorded } = start({ "chat-main": { deltas: ["Hi", "!"] } });
    const answer = await client.infer({ requestId: "unary-chat", payload: chat });
    expect(answer.outputs[0]?.value).toMatchObject({ case: "generation", value: { text: "Hi!" } });
    expect(await recorded("unary-chat")).toMatchObject({ code: Code.OK, topLabel: "", streamed: false, usage: { promptTokens: 5, completionTokens: 2 } });
  });

  it.each([
    ["the same text", true, ["Hello", " there"]],
    ["another text", false, ["Good", "bye"]],
  ])("compares a generation's shadow by its text: %s agrees (%s)", async (_, agrees, shadowDeltas) => {
    const requestId = `stream-shadow-${String(agrees)}`;
    const { stream, recorded } = start({ "chat-main": { deltas: ["Hello ", "there"] }, "chat-shadow": { deltas: shadowDeltas } }, { shadow: "chat-shadow" });
    const { error } = await drain(stream({ request: { requestId, payload: chat } }));
    expect(error).toBeUndefined();
    const record = await recorded(requestId);
    expect(record.shadows).toHaveLength(1);
    expect(record.shadows[0]).toMatchObject({ model: { name: "chat-shadow" }, code: Code.OK, sameTopLabel: agrees });
  });
});
