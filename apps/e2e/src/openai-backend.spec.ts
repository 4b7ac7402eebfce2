import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromJson } from "@bufbuild/protobuf";
import { type InferResponse, type InferStreamResponse, ModelSchema, PolicySchema, RegistryService, RouterService } from "@modelrouter/contracts";
import { type FakeOpenAiServer, FAKE_CHAT_MODEL, reverseWords, startFakeOpenAiServer } from "@modelrouter/executor-service/testing";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code, createGrpcChannel, createGrpcClient, isRpcError, type GrpcChannel, type ServiceClient } from "@modelrouter/rpc-kit";
import { appStarter, createProcessGroup, freePort, type RunningProcess } from "@modelrouter/testing";

const SECRET = "e2e-openai-bearer-2c9d41";

/** A chat model served by the OpenAI-compatible server at `url`, which needs the executor's CHAT_TOKEN. */
const chatModel = (name: string, url: string) =>
  fromJson(ModelSchema, {
    name,
    version: "1",
    task: "chat",
    modality: "MODALITY_TEXT",
    status: "MODEL_STATUS_ACTIVE",
    backend: { openai: { endpoints: [{ url, credential: "env:CHAT_TOKEN" }], modelName: FAKE_CHAT_MODEL, systemPrompt: "Answer briefly.", maxTokens: 64 } },
  });

const policy = fromJson(PolicySchema, {
  name: "chat",
  description: "text and conversations to the primary chat model, the backup when it fails before its first token",
  priority: 10,
  when: 'input.modality == "text"',
  defaultRoute: { targets: [{ model: { name: "chat-primary" } }], fallbacks: [{ model: { name: "chat-backup" } }] },
});

/** The fake server's answer to `text`: its words in reverse order. */
const reversed = (text: string): string => reverseWords(text).join(" ");

const chat = (content: string) => ({ kind: { case: "chat" as const, value: { messages: [{ role: "user", content }] } } });

describe("chat models behind OpenAI-compatible servers, routed through the router (five processes)", () => {
  const group = createProcessGroup();
  const channels: GrpcChannel[] = [];
  let dataDir: string;
  let primary: FakeOpenAiServer;
  let backup: FakeOpenAiServer;
  let router: ServiceClient<typeof RouterService>;
  let registry: ServiceClient<typeof RegistryService>;
  let routerHttp: string;
  let processes: RunningProcess[];

  beforeAll(async () => {
    [primary, backup] = await Promise.all([startFakeOpenAiServer({ token: SECRET }), startFakeOpenAiServer({ token: SECRET })]);
    dataDir = await mkdtemp(join(tmpdir(), "modelrouter-openai-"));
    const address = async () => `127.0.0.1:${await freePort()}`;
    const [registryAt, analyzerAt, decisionAt, routerAt, executorAt, httpAt] = await Promise.all(Array.from({ length: 6 }, address));
    routerHttp = httpAt!;
    const start = appStarter(group);
    // Loopback endpoints are refused by the default egress policy: this system allows 127.0.0.1 on purpose.
    const egress = { MODELROUTER_EGRESS_ALLOW: "127.0.0.1" };
    await start("registry", "registry", { MODELROUTER_REGISTRY_LISTEN: registryAt!, MODELROUTER_REGISTRY_DATA_DIR: join(dataDir, "registry"), ...egress });
    const started = await Promise.all([
      start("analyzer", "analyzer", { MODELROUTER_ANALYZER_LISTEN: analyzerAt! }),
      start("executor", "executor", {
        MODELROUTER_EXECUTOR_LISTEN: executorAt!,
        MODELROUTER_REGISTRY_ADDRESS: registryAt!,
        MODELROUTER_EXECUTOR_WORKERS: "1",
        // No background readiness checks: the fault switches below count every request the servers get.
        MODELROUTER_EXECUTOR_REMOTE_HEALTH_INTERVAL: "0",
        CHAT_TOKEN: SECRET,
        ...egress,
      }),
      start("decision-engine", "decision-engine", { MODELROUTER_DECISION_LISTEN: decisionAt!, MODELROUTER_REGISTRY_ADDRESS: registryAt! }),
    ]);
    const routerProcess = await start("router", "router", {
      MODELROUTER_ROUTER_LISTEN: routerAt!,
      MODELROUTER_ROUTER_HTTP_LISTEN: httpAt!,
      MODELROUTER_ANALYZER_ADDRESS: analyzerAt!,
      MODELROUTER_DECISION_ADDRESS: decisionAt!,
      MODELROUTER_REGISTRY_ADDRESS: registryAt!,
      MODELROUTER_EXECUTOR_ADDRESS: executorAt!,
    });
    processes = [...started, routerProcess];
    const channel = (at: string) => {
      const created = createGrpcChannel(at);
      channels.push(created);
      return created;
    };
    registry = createGrpcClient(RegistryService, channel(registryAt!), { defaultTimeoutMs: 20_000 });
    router = createGrpcClient(RouterService, channel(routerAt!), { defaultTimeoutMs: 20_000 });
    await registry.registerModel({ model: chatModel("chat-primary", primary.url) });
    await registry.registerModel({ model: chatModel("chat-backup", backup.url) });
    await registry.applyPolicy({ policy });
    // Wait until the system serves (the policy and models arrive by watch).
    const end = Date.now() + 30_000;
    for (;;) {
      try {
        await router.infer({ payload: { kind: { case: "text", value: "warm up" } } });
        break;
      } catch (error) {
        if (Date.now() > end) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  });

  afterAll(async () => {
    for (const c of channels) c.close();
    await group.stopAll("SIGTERM", 20_000).catch(() => undefined);
    await Promise.all([primary?.close(), backup?.close()]);
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  /** Reads a whole InferStream, returning its messages and the error that ended it, if any. */
  const readStream = async (content: string): Promise<{ events: InferStreamResponse["event"][]; error: unknown }> => {
    const events: InferStreamResponse["event"][] = [];
    try {
      for await (const message of router.inferStream({ request: { payload: chat(content) } })) events.push(message.event);
      return { events, error: undefined };
    } catch (error) {
      return { events, error };
    }
  };

  const doneOf = (events: readonly InferStreamResponse["event"][]): InferResponse | undefined => {
    const last = events.at(-1);
    return last?.case === "done" ? last.value : undefined;
  };

  const textOf = (events: readonly InferStreamResponse["event"][]): string =>
    events.map((e) => (e.case === "delta" ? e.value.text : "")).join("");

  it("answers a text request through Infer with the generation and its token usage, and logs the usage", async () => {
    const answer = await router.infer({ payload: { kind: { case: "text", value: "one two three" } } });
    const output = answer.outputs[0]?.value;
    expect(answer.model?.name).toBe("chat-primary");
    expect(output?.case).toBe("generation");
    if (output?.case !== "generation") return;
    expect(output.value.text).toBe(reversed("one two three"));
    expect(output.value.finishReason).toBe("stop");
    expect(output.value.usage?.completionTokens).toBe(3);
    expect(output.value.usage?.totalTokens).toBe((output.value.usage?.promptTokens ?? 0) + 3);
    const request = primary.requests.filter((r) => r.path === "/v1/chat/completions").at(-1);
    expect(request?.body).toMatchObject({
      model: FAKE_CHAT_MODEL,
      stream: false,
      max_tokens: 64,
      messages: [
        { role: "system", content: "Answer briefly." },
        { role: "user", content: "one two three" },
      ],
    });
    const { decision } = await registry.getDecision({ requestId: answer.requestId });
    expect(decision?.usage?.completionTokens).toBe(3);
    expect(decision?.streamed).toBe(false);
  });

  it("streams InferStream: the decision first, then the words as the server generates them, then the whole answer", async () => {
    const { events, error } = await readStream("the quick brown fox");
    expect(error).toBeUndefined();
    expect(events[0]?.case).toBe("start");
    expect(events.at(-1)?.case).toBe("done");
    expect(events.slice(1, -1).every((e) => e.case === "delta")).toBe(true);
    expect(events.slice(1, -1)).toHaveLength(4);
    const start = events[0]?.case === "start" ? events[0].value : undefined;
    expect(start?.model?.name).toBe("chat-primary");
    expect(start?.fallbacks.map((m) => m.name)).toEqual(["chat-backup"]);
    expect(start?.policy).toBe("chat");
    const done = doneOf(events);
    expect(done?.outputs[0]?.value.case === "generation" && done.outputs[0].value.value.text).toBe(textOf(events));
    expect(textOf(events)).toBe(reversed("the quick brown fox"));
    expect(done?.requestId).toBe(start?.requestId);
    const { decision } = await registry.getDecision({ requestId: start!.requestId });
    expect(decision?.streamed).toBe(true);
    expect(decision?.usage?.completionTokens).toBe(4);
  });

  it("delivers each word before the server has generated the next, and stopping the stream closes the model server's connection", async () => {
    primary.deltaDelayMs = 400;
    const closed = primary.closedEarly;
    try {
      const received: string[] = [];
      for await (const message of router.inferStream({ request: { payload: chat("a b c d e f g h i j") } })) {
        if (message.event.case === "delta") received.push(message.event.value.text);
        if (received.length === 1) break;
      }
      // Ten words at 400 ms apart take about 4 s; the first reached the client and the client left long before.
      expect(received).toEqual(["j"]);
      await primary.waitForClosedEarly(closed + 1);
      expect(primary.closedEarly).toBe(closed + 1);
    } finally {
      primary.deltaDelayMs = 0;
    }
  });

  it("falls back to the next model when the target's server fails before the first word", async () => {
    primary.failNext(1, 503);
    const { events, error } = await readStream("fall back please");
    expect(error).toBeUndefined();
    const done = doneOf(events);
    expect(done?.model?.name).toBe("chat-backup");
    expect(done?.fallbackUsed).toBe(true);
    expect(done?.attempts.map((a) => [a.model?.name, a.code])).toEqual([
      ["chat-primary", Code.UNAVAILABLE],
      ["chat-backup", Code.OK],
    ]);
    expect(textOf(events)).toBe(reversed("fall back please"));
  });

  it("ends the stream with UNAVAILABLE after the words already sent when the server stops mid-answer, without a fallback", async () => {
    primary.stopNextStreamAfter(2);
    const backupCalls = backup.completions;
    const { events, error } = await readStream("one two three four five");
    expect(events.map((e) => e.case)).toEqual(["start", "delta", "delta"]);
    expect(textOf(events)).toBe("five four");
    expect(isRpcError(error) && error.code).toBe(Code.UNAVAILABLE);
    expect(isRpcError(error) && error.message).toContain("broke off after 2 deltas");
    expect(backup.completions).toBe(backupCalls);
    const start = events[0]?.case === "start" ? events[0].value : undefined;
    const { decision } = await registry.getDecision({ requestId: start!.requestId });
    expect(decision?.code).toBe(Code.UNAVAILABLE);
    expect(decision?.streamed).toBe(true);
  });

  it("streams over the Connect protocol (JSON) on the router's HTTP port, as curl would", async () => {
    const body = Buffer.from(JSON.stringify({ request: { payload: { chat: { messages: [{ role: "user", content: "over http" }] } } } }));
    const envelope = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), body]);
    envelope.writeUInt32BE(body.length, 1);
    const response = await fetch(`http://${routerHttp}/modelrouter.router.v1.RouterService/InferStream`, {
      method: "POST",
      headers: { "content-type": "application/connect+json" },
      body: envelope,
    });
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    const messages: { flags: number; json: Record<string, unknown> }[] = [];
    for (let at = 0; at < bytes.length; ) {
      const length = bytes.readUInt32BE(at + 1);
      messages.push({ flags: bytes[at]!, json: JSON.parse(bytes.subarray(at + 5, at + 5 + length).toString("utf8")) as Record<string, unknown> });
      at += 5 + length;
    }
    expect(messages.map((m) => Object.keys(m.json)[0])).toEqual(["start", "delta", "delta", "done", undefined]);
    expect(messages.at(-1)).toEqual({ flags: 2, json: {} });
    expect(messages.slice(1, 3).map((m) => (m.json.delta as { text: string }).text).join("")).toBe(reversed("over http"));
  });

  it("sends the credential to the model servers and never writes it to any process's output", () => {
    expect(primary.requests.every((r) => r.headers.authorization === `Bearer ${SECRET}`)).toBe(true);
    for (const p of processes) expect(p.output.join("\n")).not.toContain(SECRET);
  });
});
