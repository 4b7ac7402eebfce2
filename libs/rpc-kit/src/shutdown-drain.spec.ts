import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { AnalyzerService, RegistryService, WatchModelsResponseSchema } from "@modelrouter/contracts";
import { Code } from "./code.js";
import { createConnectEdge } from "./connect-edge.js";
import { createGrpcChannel, createGrpcClient } from "./grpc-client.js";
import { createGrpcServer } from "./grpc-server.js";
import { isRpcError } from "./rpc-error.js";
import { scriptedAnalyzer, withUnimplemented } from "./kit.test-support.js";
import { serviceRegistration } from "./service-types.js";

const observations = () => ({ contexts: [], aborted: [], unexpected: [] });

describe("a server shutting down", () => {
  it("ends its watch streams with UNAVAILABLE at once instead of waiting out its grace period", async () => {
    const impl = withUnimplemented(RegistryService, {
      async *watchModels(_request, ctx) {
        yield create(WatchModelsResponseSchema, { revision: 1n });
        await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
      },
    });
    const server = createGrpcServer({ services: [serviceRegistration(RegistryService, impl)] });
    const channel = createGrpcChannel(`127.0.0.1:${await server.listen("127.0.0.1:0")}`);
    const client = createGrpcClient(RegistryService, channel, { defaultTimeoutMs: 60_000 });
    let started!: () => void;
    const watching = new Promise<void>((resolve) => (started = resolve));
    const watch = (async () => {
      try {
        for await (const _ of client.watchModels({})) started();
        return "ended";
      } catch (error) {
        return isRpcError(error) ? error.code : error;
      }
    })();
    await watching;
    const finished = { shutdown: false };
    const shutdown = server.shutdown(60_000).then(() => (finished.shutdown = true));
    expect(await watch).toBe(Code.UNAVAILABLE);
    await shutdown;
    expect(finished.shutdown).toBe(true);
    channel.close();
  });

  it("lets its answer streams in flight finish (a service registered with streams: \"answer\")", async () => {
    const server = createGrpcServer({ services: [serviceRegistration(RegistryService, slowAnswers(), "answer")] });
    const channel = createGrpcChannel(`127.0.0.1:${await server.listen("127.0.0.1:0")}`);
    const client = createGrpcClient(RegistryService, channel, { defaultTimeoutMs: 10_000 });
    let started!: () => void;
    const streaming = new Promise<void>((resolve) => (started = resolve));
    const seen: bigint[] = [];
    const answer = (async () => {
      for await (const message of client.watchModels({})) {
        seen.push(message.revision);
        started();
      }
    })();
    await streaming;
    await server.shutdown(10_000);
    await answer;
    expect(seen).toEqual([1n, 2n, 3n, 4n]);
    channel.close();
  });

  it("lets its unary calls in flight finish", async () => {
    const server = createGrpcServer({ services: [serviceRegistration(AnalyzerService, scriptedAnalyzer(observations()))] });
    const channel = createGrpcChannel(`127.0.0.1:${await server.listen("127.0.0.1:0")}`);
    const client = createGrpcClient(AnalyzerService, channel, { defaultTimeoutMs: 10_000 });
    const calls = Array.from({ length: 20 }, () => client.analyze({ payload: { kind: { case: "text", value: "slow" } } }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.shutdown(10_000);
    expect((await Promise.allSettled(calls)).map((c) => c.status)).toEqual(Array(20).fill("fulfilled"));
    channel.close();
  });
});

/** A RegistryService whose WatchModels is an answer of four messages 100 ms apart that ignores cancellation. */
function slowAnswers() {
  return withUnimplemented(RegistryService, {
    async *watchModels() {
      for (let revision = 1n; revision <= 4n; revision++) {
        yield create(WatchModelsResponseSchema, { revision });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  });
}

describe("the Connect edge shutting down", () => {
  it("lets its answer streams in flight finish, and refuses a new stream with UNAVAILABLE", async () => {
    const edge = createConnectEdge({ services: [serviceRegistration(RegistryService, slowAnswers(), "answer")] });
    const base = `http://127.0.0.1:${await edge.listen("127.0.0.1", 0)}`;
    const open = () =>
      fetch(`${base}/modelrouter.registry.v1.RegistryService/WatchModels`, {
        method: "POST",
        headers: { "content-type": "application/connect+json" },
        body: Buffer.from([0, 0, 0, 0, 2, 0x7b, 0x7d]),
      });
    const response = await open();
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    const closing = edge.close(10_000);
    const late = await open().then((r) => r.arrayBuffer().then((b) => Buffer.from(b).toString("utf8")), (error: unknown) => String(error));
    const chunks = [Buffer.from(first.value!)];
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      chunks.push(Buffer.from(next.value));
    }
    await closing;
    const text = Buffer.concat(chunks).toString("utf8");
    for (const revision of ["1", "2", "3", "4"]) expect(text).toContain(`"revision":"${revision}"`);
    expect(text.endsWith("{}")).toBe(true);
    // A stream opened once the drain began is refused (or, once the listener closed, cannot connect at all).
    expect(late).toMatch(/unavailable|fetch failed|ECONNREFUSED/);
  });

  it("lets the requests in flight finish, then refuses connections", async () => {
    const edge = createConnectEdge({ services: [serviceRegistration(AnalyzerService, scriptedAnalyzer(observations()))] });
    const base = `http://127.0.0.1:${await edge.listen("127.0.0.1", 0)}`;
    const call = () =>
      fetch(`${base}/modelrouter.analyzer.v1.AnalyzerService/Analyze`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ payload: { text: "slow" } }),
      }).then((r) => r.status);
    const inFlight = Array.from({ length: 20 }, call);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await edge.close(10_000);
    expect(await Promise.all(inFlight)).toEqual(Array(20).fill(200));
    await expect(call()).rejects.toThrow();
  });
});
