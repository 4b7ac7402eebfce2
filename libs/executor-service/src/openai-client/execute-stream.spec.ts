import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { clone, create, type MessageInitShape } from "@bufbuild/protobuf";
import { BackendSchema, type ExecuteRequest, ExecuteRequestSchema, ExecutorService, type ExecuteStreamResponse, type PayloadSchema } from "@modelrouter/contracts";
import { parseEgressPolicy } from "@modelrouter/egress";
import { loadDemoModels, modelZooDir } from "@modelrouter/model-zoo";
import { Code, createGrpcChannel, createGrpcClient, createGrpcServer, type GrpcServer, RpcError, serviceRegistration, type ServiceClient } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { type ExecutorComponent, startExecutor } from "../executor-component.js";
import { egressEndpointAccess } from "../oip-client/endpoint-access.js";
import { builtWorkerUrl } from "../testing.js";
import { FAKE_CHAT_MODEL, type FakeOpenAiServer, startFakeOpenAiServer } from "./openai-server.test-support.js";

type PayloadInit = MessageInitShape<typeof PayloadSchema>;

const TOKEN = "sk-executor-stream-secret";
const logs: string[] = [];
const logger = createLogger({ service: "executor", level: "debug", write: (line) => logs.push(line) });
const access = egressEndpointAccess(parseEgressPolicy({ MODELROUTER_EGRESS_ALLOW: "127.0.0.1" }).policy!, { CHAT_TOKEN: TOKEN, BAD_TOKEN: "sk-not-it" });

function chatRequest(server: FakeOpenAiServer, payload: PayloadInit = { kind: { case: "text", value: "the quick brown fox" } }, credential = "env:CHAT_TOKEN"): ExecuteRequest {
  return create(ExecuteRequestSchema, {
    requestId: "chat-1",
    model: { name: "assistant", version: "1" },
    backend: { kind: { case: "openai", value: { endpoints: [{ url: server.url, credential }], modelName: FAKE_CHAT_MODEL, systemPrompt: "Answer briefly." } } },
    payload,
  });
}

/** The events of a stream as "delta:<text>" and "done", and the error that ended it, if any. */
async function events(stream: AsyncIterable<ExecuteStreamResponse>): Promise<{ seen: ExecuteStreamResponse[]; error?: RpcError }> {
  const seen: ExecuteStreamResponse[] = [];
  try {
    for await (const event of stream) seen.push(event);
    return { seen };
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
    return { seen, error };
  }
}

const deltasOf = (seen: ExecuteStreamResponse[]) => seen.flatMap((e) => (e.event.case === "delta" ? [e.event.value.text] : []));

describe("ExecuteStream and Execute of a chat model, through the executor served over gRPC", () => {
  let executor: ExecutorComponent;
  let server: GrpcServer;
  let client: ServiceClient<typeof ExecutorService>;
  let closeChannel: () => void;
  let openai: FakeOpenAiServer;

  beforeAll(async () => {
    executor = startExecutor(
      { modelRoot: modelZooDir(), maxModelBytes: 64 * 1024 * 1024, workers: 1, maxQueued: 16, maxQueuedPerModel: 16, maxBatchSize: 1, maxBatchDelayMs: 0, inlineBelowMs: 0, sessionIdleMs: Infinity, remoteHealthIntervalMs: 0 },
      logger,
      { endpointAccess: access, workerUrl: builtWorkerUrl() },
    );
    await executor.ready;
    server = createGrpcServer({ services: [serviceRegistration(ExecutorService, executor.impl)] });
    const port = await server.listen("127.0.0.1:0");
    const channel = createGrpcChannel(`127.0.0.1:${port}`);
    closeChannel = () => channel.close();
    client = createGrpcClient(ExecutorService, channel, { defaultTimeoutMs: 10_000 });
  });

  beforeAll(async () => {
    openai = await startFakeOpenAiServer({ token: TOKEN });
  });

  afterEach(() => {
    openai.deltaDelayMs = 0;
    logs.length = 0;
  });

  afterAll(async () => {
    closeChannel();
    await server.shutdown(1_000);
    await executor.close();
    await openai.close();
  });

  it("streams the deltas as the server generates them, then the whole generation", async () => {
    const { seen, error } = await events(client.executeStream({ request: chatRequest(openai) }));
    expect(error).toBeUndefined();
    expect(deltasOf(seen)).toEqual(["fox", " brown", " quick", " the"]);
    const done = seen.at(-1)?.event;
    expect(done?.case).toBe("done");
    const output = done?.case === "done" ? done.value.outputs[0] : undefined;
    expect(output?.name).toBe("generation");
    expect(output?.value).toEqual({
      case: "generation",
      value: expect.objectContaining({ text: "fox brown quick the", finishReason: "stop", usage: expect.objectContaining({ promptTokens: 6, completionTokens: 4, totalTokens: 10 }) }),
    });
    expect(done?.case === "done" ? done.value.inferenceTime : undefined).toBeDefined();
    expect(openai.requests.at(-1)?.body).toMatchObject({ stream: true, messages: [{ role: "system" }, { role: "user" }] });
  });

  it("answers Execute with the generation, calling the server without streaming", async () => {
    const response = await client.execute(chatRequest(openai, { kind: { case: "chat", value: { messages: [{ role: "user", content: "one two three" }] } } }));
    expect(response.outputs[0]?.value).toMatchObject({ case: "generation", value: { text: "three two one", finishReason: "stop" } });
    expect(openai.requests.at(-1)?.body).toMatchObject({ stream: false });
  });

  it("aborts the upstream request when the client stops reading the stream", async () => {
    openai.deltaDelayMs = 300;
    const closedBefore = openai.closedEarly;
    const stream = client.executeStream({ request: chatRequest(openai, { kind: { case: "text", value: "a b c d e f g h i j" } }) });
    const received: string[] = [];
    for await (const event of stream) {
      if (event.event.case === "delta") received.push(event.event.value.text);
      break;
    }
    expect(received).toEqual(["j"]);
    await openai.waitForClosedEarly(closedBefore + 1);
  });

  it("ends the stream with UNAVAILABLE after the deltas already sent when the server's stream breaks", async () => {
    openai.stopNextStreamAfter(2);
    const { seen, error } = await events(client.executeStream({ request: chatRequest(openai, { kind: { case: "text", value: "a b c d" } }) }));
    expect(deltasOf(seen)).toEqual(["d", " c"]);
    expect(seen.some((e) => e.event.case === "done")).toBe(false);
    expect(error?.code).toBe(Code.UNAVAILABLE);
    expect(error?.message).toContain("the server's stream broke after 2 deltas");
  });

  it("logs a server's refusal without the credential", async () => {
    const { error } = await events(client.executeStream({ request: chatRequest(openai, undefined, "env:BAD_TOKEN") }));
    expect(error?.code).toBe(Code.UNAUTHENTICATED);
    expect(error?.message).toContain("[credential]");
    expect(logs.some((l) => l.includes("OpenAI-compatible server failed"))).toBe(true);
    expect(`${error?.message} ${logs.join("\n")}`).not.toContain("sk-not-it");
  });

  it("answers ExecuteStream of a model that does not stream with the response alone", async () => {
    const langid = loadDemoModels().find((m) => m.name === "text-langid");
    if (langid === undefined) throw new Error("the zoo catalogue has no text-langid");
    const langidRequest = (payload: PayloadInit) =>
      create(ExecuteRequestSchema, {
        requestId: "onnx-1",
        model: { name: langid.name, version: langid.version },
        ...(langid.backend === undefined ? {} : { backend: clone(BackendSchema, langid.backend) }),
        payload,
      });
    const request = langidRequest({ kind: { case: "text", value: "The quick brown fox jumps over the lazy dog." } });
    const { seen, error } = await events(client.executeStream({ request }));
    expect(error).toBeUndefined();
    expect(seen.map((e) => e.event.case)).toEqual(["done"]);
    expect(seen[0]?.event.case === "done" ? seen[0].event.value.outputs[0]?.value.case : undefined).toBe("classification");

    const chat = langidRequest({ kind: { case: "chat", value: { messages: [{ role: "user", content: "hi" }] } } });
    const refused = await events(client.executeStream({ request: chat }));
    expect(refused.error?.code).toBe(Code.INVALID_ARGUMENT);
    expect(refused.error?.message).toContain("a chat payload is for chat models (backend openai)");
  });

  it("refuses a stream request without its request, naming the field", async () => {
    const { error } = await events(client.executeStream({}));
    expect(error?.code).toBe(Code.INVALID_ARGUMENT);
    expect(error?.message).toContain("request is required");
  });
});
