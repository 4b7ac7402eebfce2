import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { PayloadSchema, RouterService, type InferStreamResponse } from "@modelrouter/contracts";
import { parseEgressPolicy } from "@modelrouter/egress";
import { createChatModels, egressEndpointAccess } from "@modelrouter/executor-service";
import {
  FAKE_CHAT_MODEL,
  createExecutorService,
  reverseWords,
  startFakeOpenAiServer,
  type FakeOpenAiServer,
  type WorkerPool,
} from "@modelrouter/executor-service/testing";
import { Code, createDirectClient, isRpcError, type RpcError } from "@modelrouter/rpc-kit";
import { compiledPolicy, modelTarget, startInProcessServices, type InProcessServices } from "./in-process-services.test-support.js";
import type { Router } from "./router-service.js";
import { chatModel } from "./scripted-chat-executor.test-support.js";
import { quiet, startZooExecutor } from "./zoo-executor.test-support.js";

const question = "the quick brown fox";
const chat = create(PayloadSchema, { kind: { case: "chat", value: { messages: [{ role: "user", content: question }] } } });

async function drain(stream: AsyncIterable<InferStreamResponse>): Promise<{ events: InferStreamResponse["event"][]; error: RpcError | undefined }> {
  const events: InferStreamResponse["event"][] = [];
  try {
    for await (const message of stream) events.push(message.event);
    return { events, error: undefined };
  } catch (error) {
    if (!isRpcError(error)) throw error;
    return { events, error };
  }
}

describe("InferStream end to end in-process: router → real executor → an OpenAI-compatible server streaming over SSE", () => {
  let openai: FakeOpenAiServer;
  let pool: WorkerPool;
  let services: InProcessServices;
  let router: Router;

  beforeAll(async () => {
    openai = await startFakeOpenAiServer();
    pool = (await startZooExecutor()).pool;
    const access = egressEndpointAccess(parseEgressPolicy({ MODELROUTER_EGRESS_ALLOW: "127.0.0.1" }).policy!, {});
    const executorImpl = createExecutorService({ pool, chat: createChatModels({ access, healthIntervalMs: 0, logger: quiet }), logger: quiet });
    services = await startInProcessServices([chatModel("assistant", openai.url, FAKE_CHAT_MODEL)]);
    router = services.router([compiledPolicy({ name: "chat", defaultRoute: { targets: [modelTarget("assistant")] } })], { executorImpl });
  }, 60_000);

  afterAll(async () => {
    await router?.close();
    await services?.close();
    await pool?.close();
    await openai?.close();
  });

  it("streams the server's deltas between start and done, and logs the usage the server counted", async () => {
    const client = createDirectClient(RouterService, router.impl, { defaultTimeoutMs: 10_000 });
    const { events, error } = await drain(client.inferStream({ request: { requestId: "openai-stream", payload: chat } }));
    expect(error).toBeUndefined();
    const words = reverseWords(question);
    const deltas = events.flatMap((e) => (e.case === "delta" ? [e.value.text] : []));
    expect(events[0]?.case).toBe("start");
    expect(events.at(-1)?.case).toBe("done");
    expect(deltas.join("")).toBe(words.join(" "));
    expect(deltas.length).toBe(words.length);
    const done = events.at(-1);
    expect(done?.case === "done" && done.value.outputs[0]?.value).toMatchObject({ case: "generation", value: { text: words.join(" ") } });
    await router.recorder.settled("openai-stream");
    const { decision } = await services.registry.getDecision({ requestId: "openai-stream" });
    expect(decision).toMatchObject({ code: Code.OK, streamed: true, model: { name: "assistant" } });
    expect(decision?.usage?.completionTokens).toBeGreaterThan(0);
  });

  it("ends the stream with UNAVAILABLE after the deltas already sent when the server's stream breaks", async () => {
    openai.stopNextStreamAfter(2);
    const client = createDirectClient(RouterService, router.impl, { defaultTimeoutMs: 10_000 });
    const { events, error } = await drain(client.inferStream({ request: { payload: chat } }));
    expect(events.map((e) => e.case)).toEqual(["start", "delta", "delta"]);
    expect(error?.code).toBe(Code.UNAVAILABLE);
  });
});
