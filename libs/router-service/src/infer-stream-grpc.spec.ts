import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { ExecutorService, PayloadSchema, RouterService, type InferStreamResponse } from "@modelrouter/contracts";
import {
  createGrpcChannel,
  createGrpcClient,
  createGrpcServer,
  serviceRegistration,
  type GrpcChannel,
  type GrpcServer,
  type ServiceClient,
} from "@modelrouter/rpc-kit";
import { singleExecutor } from "./executor-instances.js";
import { compiledPolicy, modelTarget, startInProcessServices, type InProcessServices } from "./in-process-services.test-support.js";
import type { Router } from "./router-service.js";
import { ScriptedChatExecutor, chatModel } from "./scripted-chat-executor.test-support.js";

const chat = create(PayloadSchema, { kind: { case: "chat", value: { messages: [{ role: "user", content: "Count to three." }] } } });

describe("InferStream over gRPC: a client, the router and the executor each in their own server", () => {
  let services: InProcessServices;
  const executor = new ScriptedChatExecutor({ "chat-main": { deltas: ["one ", "two ", "three"] }, "chat-slow": { deltas: ["one ", "two"], stallAfter: 1 } });
  const servers: GrpcServer[] = [];
  const channels: GrpcChannel[] = [];
  let router: Router;
  let client: ServiceClient<typeof RouterService>;

  async function serve(registration: ReturnType<typeof serviceRegistration>): Promise<GrpcChannel> {
    const server = createGrpcServer({ services: [registration] });
    servers.push(server);
    const channel = createGrpcChannel(`127.0.0.1:${await server.listen("127.0.0.1:0")}`);
    channels.push(channel);
    return channel;
  }

  beforeAll(async () => {
    services = await startInProcessServices([chatModel("chat-main"), chatModel("chat-slow")]);
    const executorChannel = await serve(serviceRegistration(ExecutorService, executor.impl));
    const executors = singleExecutor(createGrpcClient(ExecutorService, executorChannel, { defaultTimeoutMs: 10_000 }), "executor-a");
    const policy = compiledPolicy({
      name: "chat",
      rules: [{ name: "slow", when: 'request.metadata["speed"] == "slow"', route: { targets: [modelTarget("chat-slow")] } }],
      defaultRoute: { targets: [modelTarget("chat-main")] },
    });
    router = services.router([policy], { executors });
    client = createGrpcClient(RouterService, await serve(serviceRegistration(RouterService, router.impl)), { defaultTimeoutMs: 10_000 });
  }, 60_000);

  afterAll(async () => {
    for (const channel of channels) channel.close();
    await Promise.all(servers.map((s) => s.shutdown(100)));
    await router?.close();
    await services?.close();
  });

  it("sends start, the deltas and done in order", async () => {
    const events: InferStreamResponse["event"][] = [];
    for await (const message of client.inferStream({ request: { payload: chat } })) events.push(message.event);
    expect(events.map((e) => (e.case === "delta" ? e.value.text : e.case))).toEqual(["start", "one ", "two ", "three", "done"]);
  });

  it("cancels the executor's stream, across both hops, when the client stops reading", async () => {
    const seen: string[] = [];
    for await (const message of client.inferStream({ request: { payload: chat, metadata: { speed: "slow" } } })) {
      seen.push(message.event.case ?? "");
      if (message.event.case === "delta") break;
    }
    expect(seen).toEqual(["start", "delta"]);
    await executor.whenAbandoned();
    expect(executor.abandoned).toEqual(["chat-slow"]);
  });
});
