import { afterEach, describe, expect, it } from "@jest/globals";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type ExecuteRequest, ExecuteRequestSchema, OpenAiBackendSchema, type PayloadSchema } from "@modelrouter/contracts";
import { parseEgressPolicy } from "@modelrouter/egress";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import { Code, type RpcError } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { trace, ROOT_CONTEXT, TraceFlags } from "@opentelemetry/api";
import { egressEndpointAccess } from "../oip-client/endpoint-access.js";
import { type ChatModels, createChatModels } from "./chat-models.js";
import { FAKE_CHAT_MODEL, type FakeOpenAiServer, startFakeOpenAiServer } from "./openai-server.test-support.js";

type BackendInit = MessageInitShape<typeof OpenAiBackendSchema>;
type PayloadInit = MessageInitShape<typeof PayloadSchema>;

const SECRET = "sk-very-secret-token-4711";
const lines: string[] = [];
const logger = createLogger({ service: "executor", level: "debug", write: (line) => lines.push(line) });
const loopback = parseEgressPolicy({ MODELROUTER_EGRESS_ALLOW: "127.0.0.1" }).policy!;
const access = egressEndpointAccess(loopback, { CHAT_TOKEN: SECRET, WRONG_TOKEN: `${SECRET}-wrong` });

const text = (value: string): PayloadInit => ({ kind: { case: "text", value } });
const chat = (...messages: [string, string][]): PayloadInit => ({ kind: { case: "chat", value: { messages: messages.map(([role, content]) => ({ role, content })) } } });

function request(backend: BackendInit, payload: PayloadInit = text("hello big world")): ExecuteRequest {
  return create(ExecuteRequestSchema, { requestId: "req-1", model: { name: "assistant", version: "1" }, backend: { kind: { case: "openai", value: backend } }, payload });
}

const backendAt = (...servers: FakeOpenAiServer[]): BackendInit => ({ endpoints: servers.map((s) => ({ url: s.url })), modelName: FAKE_CHAT_MODEL });
const call = (timeoutMs = 5_000, signal: AbortSignal = new AbortController().signal) => ({ deadline: Date.now() + timeoutMs, signal });

async function failure<E extends Error = RpcError>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error("expected the call to fail");
}

/** Runs a streamed call to its end: the deltas it yielded, and its result or error. */
async function drain(stream: AsyncGenerator<string, unknown>): Promise<{ deltas: string[]; result?: unknown; error?: RpcError }> {
  const deltas: string[] = [];
  try {
    for (;;) {
      const step = await stream.next();
      if (step.done === true) return { deltas, result: step.value };
      deltas.push(step.value);
    }
  } catch (error) {
    return { deltas, error: error as RpcError };
  }
}

describe("a chat model on an OpenAI-compatible server", () => {
  const servers: FakeOpenAiServer[] = [];
  const models: ChatModels[] = [];
  const start = async (token?: string): Promise<FakeOpenAiServer> => {
    const server = await startFakeOpenAiServer(token === undefined ? {} : { token });
    servers.push(server);
    return server;
  };
  const chatModels = (): ChatModels => {
    const created = createChatModels({ access, healthIntervalMs: 0, logger, random: () => 0 });
    models.push(created);
    return created;
  };

  afterEach(async () => {
    models.splice(0).forEach((m) => m.close());
    await Promise.all(servers.splice(0).map((s) => s.close()));
    lines.length = 0;
  });

  describe("without streaming", () => {
    it("answers with the whole generation, its finish reason and its usage", async () => {
      const server = await start();
      const result = await chatModels().execute(request(backendAt(server)), call());
      expect(result.answer).toEqual({ text: "world big hello", finishReason: "stop", usage: { promptTokens: 3, completionTokens: 3, totalTokens: 6 } });
      expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/models", "POST /v1/chat/completions"]);
    });

    it("sends the model name, the system prompt first, max_tokens and temperature, and asks for no stream", async () => {
      const server = await start();
      const result = await chatModels().execute(request({ ...backendAt(server), systemPrompt: "Be brief.", maxTokens: 2, temperature: 0.5 }), call());
      expect(server.requests.at(-1)?.body).toEqual({
        model: FAKE_CHAT_MODEL,
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "hello big world" },
        ],
        stream: false,
        max_tokens: 2,
        temperature: 0.5,
      });
      expect(result.answer).toMatchObject({ text: "world big", finishReason: "length" });
    });

    it("sends a chat payload's conversation, keeping its own system message instead of the registered prompt", async () => {
      const server = await start();
      const conversation = chat(["system", "You reverse words."], ["user", "one two"], ["assistant", "two one"], ["user", "three four"]);
      const result = await chatModels().execute(request({ ...backendAt(server), systemPrompt: "Be brief." }, conversation), call());
      const body = server.requests.at(-1)?.body as { messages: unknown[]; max_tokens?: unknown; temperature?: unknown };
      expect(body.messages).toEqual([
        { role: "system", content: "You reverse words." },
        { role: "user", content: "one two" },
        { role: "assistant", content: "two one" },
        { role: "user", content: "three four" },
      ]);
      expect(body).not.toHaveProperty("max_tokens");
      expect(body).not.toHaveProperty("temperature");
      expect(result.answer.text).toBe("four three");
    });

    it("sends the endpoint's credential as a bearer token, read from its reference", async () => {
      const server = await start(SECRET);
      await chatModels().execute(request({ endpoints: [{ url: server.url, credential: "env:CHAT_TOKEN" }], modelName: FAKE_CHAT_MODEL }), call());
      expect(server.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${SECRET}`, `Bearer ${SECRET}`]);
    });

    it("sends the call's trace context as traceparent", async () => {
      const server = await start();
      const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: TraceFlags.SAMPLED });
      await chatModels().execute(request(backendAt(server)), { ...call(), traceContext: parent });
      expect(server.requests.at(-1)?.headers.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    });
  });

  describe("streamed", () => {
    it("yields one delta per generated piece, then the whole generation with the usage of the final chunk", async () => {
      const server = await start();
      const { deltas, result, error } = await drain(chatModels().stream(request(backendAt(server)), call()));
      expect(error).toBeUndefined();
      expect(deltas).toEqual(["world", " big", " hello"]);
      expect(result).toMatchObject({ answer: { text: "world big hello", finishReason: "stop", usage: { promptTokens: 3, completionTokens: 3, totalTokens: 6 } } });
      expect(server.requests.at(-1)?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
      expect(server.requests.at(-1)?.headers.accept).toBe("text/event-stream");
    });

    it("is UNAVAILABLE naming how many deltas it got when the server's socket closes mid-stream", async () => {
      const server = await start();
      const models = chatModels();
      await models.execute(request(backendAt(server)), call());
      server.stopNextStreamAfter(2);
      const { deltas, error } = await drain(models.stream(request(backendAt(server), text("a b c d e")), call()));
      expect(deltas).toEqual(["e", " d"]);
      expect(error?.code).toBe(Code.UNAVAILABLE);
      expect(error?.message).toContain("the server's stream broke after 2 deltas");
    });

    it("is UNAVAILABLE quoting the server when an error event arrives mid-stream", async () => {
      const server = await start();
      const models = chatModels();
      await models.execute(request(backendAt(server)), call());
      server.errorNextStreamAfter(1, "CUDA out of memory");
      const { deltas, error } = await drain(models.stream(request(backendAt(server), text("a b c")), call()));
      expect(deltas).toEqual(["c"]);
      expect(error?.code).toBe(Code.UNAVAILABLE);
      expect(error?.message).toContain("the server's stream broke after 1 deltas");
      expect(error?.message).toContain('"CUDA out of memory"');
    });

    it("aborts the upstream request when the deadline passes mid-stream", async () => {
      const server = await start();
      const models = chatModels();
      await models.execute(request(backendAt(server)), call());
      server.deltaDelayMs = 5_000;
      const { error } = await drain(models.stream(request(backendAt(server)), call(300)));
      expect(error?.code).toBe(Code.DEADLINE_EXCEEDED);
      await server.waitForClosedEarly();
    });

    it("aborts the upstream request when the caller cancels", async () => {
      const server = await start();
      const models = chatModels();
      await models.execute(request(backendAt(server)), call());
      server.deltaDelayMs = 5_000;
      const abort = new AbortController();
      const pending = drain(models.stream(request(backendAt(server)), call(30_000, abort.signal)));
      while (server.completions < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      abort.abort();
      expect((await pending).error?.code).toBe(Code.CANCELLED);
      await server.waitForClosedEarly();
    });

    it("aborts the upstream request when the consumer stops iterating", async () => {
      const server = await start();
      const models = chatModels();
      await models.execute(request(backendAt(server)), call());
      server.deltaDelayMs = 200;
      const stream = models.stream(request(backendAt(server), text("a b c d e f g h")), call(30_000));
      expect((await stream.next()).value).toBe("h");
      await stream.return(undefined as never);
      await server.waitForClosedEarly();
    });
  });

  describe("server failures", () => {
    it.each([
      [400, Code.INVALID_ARGUMENT],
      [401, Code.UNAUTHENTICATED],
      [404, Code.NOT_FOUND],
      [429, Code.RESOURCE_EXHAUSTED],
      [500, Code.INTERNAL],
      [503, Code.UNAVAILABLE],
    ])("maps HTTP %i to gRPC code %i, quoting the OpenAI error's message, type and code", async (status, code) => {
      const server = await start();
      const models = chatModels();
      await models.execute(request(backendAt(server)), call());
      server.failNext(2, status, `fake failure ${status}`);
      const executed = await failure(models.execute(request(backendAt(server)), call()));
      const streamed = (await drain(models.stream(request(backendAt(server)), call()))).error;
      for (const error of [executed, streamed]) {
        expect(error?.code).toBe(code);
        expect(error?.message).toContain(`OpenAI endpoint ${server.url}: HTTP ${status}: "fake failure ${status}"`);
        expect(error?.message).toMatch(/\(type "[a-z_]+"(, code "[a-z_]+")?\)$/);
      }
    });

    it("retries on the second endpoint after the first answered 503, and not after a delta was produced", async () => {
      const first = await start();
      const second = await start();
      const models = chatModels();
      await models.load("assistant", "1", create(OpenAiBackendSchema, backendAt(first, second)), call());
      first.failNext(1, 503);
      const retried = await drain(models.stream(request(backendAt(first, second)), call()));
      expect(retried.deltas).toEqual(["world", " big", " hello"]);
      expect([first.completions, second.completions]).toEqual([1, 1]);
      first.stopNextStreamAfter(1);
      const broken = await drain(models.stream(request(backendAt(first, second)), call()));
      expect(broken.deltas).toEqual(["world"]);
      expect(broken.error?.code).toBe(Code.UNAVAILABLE);
      expect([first.completions, second.completions]).toEqual([2, 1]);
    });

    it("retries on the second endpoint when the first refuses the connection", async () => {
      const refusing = createServer();
      await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
      const closedUrl = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/v1`;
      await new Promise((resolve) => refusing.close(resolve));
      const live = await start();
      const backend = { endpoints: [{ url: closedUrl }, { url: live.url }], modelName: FAKE_CHAT_MODEL };
      const result = await chatModels().execute(request(backend), call());
      expect(result.answer.text).toBe("world big hello");
    });

    it("fails an answer larger than the bound with RESOURCE_EXHAUSTED", async () => {
      const server = await start();
      const small = createChatModels({ access, healthIntervalMs: 0, logger, maxResponseBytes: 2_000 });
      models.push(small);
      await small.execute(request(backendAt(server)), call());
      const long = text(Array.from({ length: 400 }, (_, i) => `word${i}`).join(" "));
      expect((await failure(small.execute(request(backendAt(server), long), call()))).code).toBe(Code.RESOURCE_EXHAUSTED);
      expect((await drain(small.stream(request(backendAt(server), long), call()))).error?.code).toBe(Code.RESOURCE_EXHAUSTED);
    });

    it("passes on the whole answer as one delta when a server answers a streamed request with JSON", async () => {
      const plain = createServer((req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          req.url?.endsWith("/models")
            ? JSON.stringify({ data: [{ id: FAKE_CHAT_MODEL }] })
            : JSON.stringify({ choices: [{ message: { role: "assistant", content: "all at once" }, finish_reason: "stop" }], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } }),
        );
      });
      await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
      try {
        const url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/v1`;
        const { deltas, result } = await drain(chatModels().stream(request({ endpoints: [{ url }], modelName: FAKE_CHAT_MODEL }), call()));
        expect(deltas).toEqual(["all at once"]);
        expect(result).toMatchObject({ answer: { text: "all at once", finishReason: "stop", usage: { totalTokens: 5 } } });
      } finally {
        plain.closeAllConnections();
        await new Promise((resolve) => plain.close(resolve));
      }
    });

    it("is INTERNAL quoting a cut excerpt of a body that is not a chat completion", async () => {
      const body = JSON.stringify({ choices: "none", padding: "x".repeat(1_000) });
      const odd = createServer((req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(req.url?.endsWith("/models") ? JSON.stringify({ data: [{ id: FAKE_CHAT_MODEL }] }) : body);
      });
      await new Promise<void>((resolve) => odd.listen(0, "127.0.0.1", resolve));
      try {
        const url = `http://127.0.0.1:${(odd.address() as AddressInfo).port}/v1`;
        const error = await failure(chatModels().execute(request({ endpoints: [{ url }], modelName: FAKE_CHAT_MODEL }), call()));
        expect(error.code).toBe(Code.INTERNAL);
        expect(error.message).toContain('answered with a body that has no choices: "{\\"choices\\":\\"none\\"');
        expect(error.message.length).toBeLessThan(500);
      } finally {
        odd.closeAllConnections();
        await new Promise((resolve) => odd.close(resolve));
      }
    });

    it("never shows the credential in an error or a log line, even when the server echoes it", async () => {
      const server = await start(`${SECRET}-other`);
      const models = chatModels();
      const backend = { endpoints: [{ url: server.url, credential: "env:CHAT_TOKEN" }], modelName: FAKE_CHAT_MODEL };
      const loaded = await failure(models.load("assistant", "1", create(OpenAiBackendSchema, backend), call()));
      const executed = await failure(models.execute(request(backend), call()));
      const streamed = (await drain(models.stream(request(backend), call()))).error;
      for (const error of [loaded, executed, streamed]) {
        expect(error?.code).toBe(Code.UNAUTHENTICATED);
        expect(error?.message).toContain("Incorrect API key provided: [credential].");
        expect(error?.message).not.toContain(SECRET);
      }
      expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${SECRET}`);
      expect(lines.join("\n")).not.toContain(SECRET);
    });
  });

  describe("registration checks", () => {
    it("leaves a version unservable when its server does not offer model_name, listing a few ids it offers", async () => {
      const server = await start();
      server.models = ["m1", "m2", "m3", "m4", "m5", "m6", "m7"];
      const models = chatModels();
      const backend = { endpoints: [{ url: server.url }], modelName: "llama3.2:1b" };
      const problem = await models.load("assistant", "1", create(OpenAiBackendSchema, backend), call());
      expect(problem).toBe(`the server at ${server.url} does not offer backend.openai.model_name "llama3.2:1b"; it offers "m1", "m2", "m3", "m4", "m5" and 2 more: register one of its model ids`);
      expect(lines.some((l) => l.includes("not servable") && l.includes("llama3.2:1b"))).toBe(true);
      const error = await failure(models.execute(request(backend), call()));
      expect(error.code).toBe(Code.FAILED_PRECONDITION);
      expect(error.message).toContain("backend.openai.model_name");
      expect(server.completions).toBe(0);
    });

    it("is servable once the server offers model_name", async () => {
      const server = await start();
      expect(await chatModels().load("assistant", "1", create(OpenAiBackendSchema, backendAt(server)), call())).toBeUndefined();
    });

    it("refuses a gRPC endpoint URL naming the field", async () => {
      const error = await failure<DomainError>(chatModels().execute(request({ endpoints: [{ url: "grpc://127.0.0.1:8001" }], modelName: "m" }), call()));
      expect(error).toBeInstanceOf(DomainError);
      expect(error.reason).toBe(ErrorReason.MODEL_UNAVAILABLE);
      expect(error.message).toContain("backend.openai.endpoints[0].url is a gRPC URL");
    });

    it("refuses a missing model_name and a temperature out of range, naming the field", async () => {
      const server = await start();
      const noName = await failure<DomainError>(chatModels().execute(request({ endpoints: [{ url: server.url }] }), call()));
      expect(noName.message).toContain("backend.openai.model_name is empty");
      const hot = await failure<DomainError>(chatModels().execute(request({ ...backendAt(server), temperature: 3 }), call()));
      expect(hot.message).toContain("backend.openai.temperature is 3; use 0 to 2");
      expect(server.requests).toEqual([]);
    });
  });

  describe("request checks", () => {
    it("refuses a payload that is neither text nor a chat with PAYLOAD_UNSUPPORTED naming payload", async () => {
      const error = await failure<DomainError>(
        chatModels().execute(request({ endpoints: [{ url: "http://127.0.0.1:1/v1" }], modelName: "m" }, { kind: { case: "image", value: { data: new Uint8Array([1]) } } }), call()),
      );
      expect(error.reason).toBe(ErrorReason.PAYLOAD_UNSUPPORTED);
      expect(error.violations).toEqual([{ field: "payload", description: expect.stringContaining("send text, or a chat conversation") }]);
    });

    it("refuses a malformed chat with every bad field named", async () => {
      const error = await failure<DomainError>(
        chatModels().execute(request({ endpoints: [{ url: "http://127.0.0.1:1/v1" }], modelName: "m" }, chat(["robot", "hi"], ["assistant", ""])), call()),
      );
      expect(error.reason).toBe(ErrorReason.INVALID_FIELD);
      expect(error.violations.map((v) => v.field)).toEqual(["payload.chat.messages[0].role", "payload.chat.messages[1].content", "payload.chat.messages[1].role"]);
    });
  });
});
