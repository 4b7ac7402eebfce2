import { afterEach, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { AnalyzeResponseSchema, AnalyzerService, InputProfileSchema } from "@modelrouter/contracts";
import { Code } from "./code.js";
import { createGrpcChannel, type GrpcChannel } from "./grpc-client.js";
import { createGrpcServer, type GrpcServer } from "./grpc-server.js";
import { isRpcError } from "./rpc-error.js";
import { serviceRegistration, type ServiceImpl } from "./service-types.js";
import { createTunnel, createTunnelClient, type Tunnel } from "./tunnel-client.js";

/** An analyzer that answers with the text it was given, after `delay-N` milliseconds when asked. */
const echo: ServiceImpl<typeof AnalyzerService> = {
  async analyze(request) {
    const text = request.payload?.kind.case === "text" ? request.payload.kind.value : "";
    const delay = /^delay-(\d+)/.exec(text);
    if (delay !== null) await new Promise((resolve) => setTimeout(resolve, Number(delay[1])));
    return create(AnalyzeResponseSchema, { profile: create(InputProfileSchema, { mimeType: text }) });
  },
};

const text = (value: string) => ({ payload: { kind: { case: "text" as const, value } } });

describe("a tunnel", () => {
  let server: GrpcServer | undefined;
  let channel: GrpcChannel | undefined;
  let tunnel: Tunnel | undefined;
  afterEach(async () => {
    tunnel?.close();
    channel?.close();
    await server?.shutdown(100);
  });

  const serve = async (port = 0) => {
    server = createGrpcServer({ services: [serviceRegistration(AnalyzerService, echo)] });
    return server.listen(`127.0.0.1:${port}`);
  };

  it("carries many concurrent calls on one stream, each answered with its own response, in any order", async () => {
    const port = await serve();
    channel = createGrpcChannel(`127.0.0.1:${port}`);
    tunnel = createTunnel(channel);
    const client = createTunnelClient(AnalyzerService, tunnel, { defaultTimeoutMs: 5000 });
    const texts = Array.from({ length: 200 }, (_, i) => `delay-${(i * 7) % 20}-${i}`);
    const answers = await Promise.all(texts.map((t) => client.analyze(text(t))));
    expect(answers.map((a) => a.profile?.mimeType)).toEqual(texts);
  });

  it("fails the calls in flight with UNAVAILABLE when the server goes away, and reconnects for the next call", async () => {
    const port = await serve();
    channel = createGrpcChannel(`127.0.0.1:${port}`);
    tunnel = createTunnel(channel);
    const client = createTunnelClient(AnalyzerService, tunnel, { defaultTimeoutMs: 5000 });
    const inFlight = client.analyze(text("delay-2000")).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server!.shutdown(0);
    const error = await inFlight;
    expect(isRpcError(error) && error.code).toBe(Code.UNAVAILABLE);

    await serve(port);
    let answer: string | undefined;
    for (let i = 0; i < 50 && answer === undefined; i++) {
      answer = await client.analyze(text("back")).then((a) => a.profile?.mimeType, () => undefined);
      if (answer === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answer).toBe("back");
  });
});

describe("a server shutting down gracefully", () => {
  it("lets the tunnel's running calls finish, refuses new ones, and ends the stream without waiting for the grace period", async () => {
    const server = createGrpcServer({ services: [serviceRegistration(AnalyzerService, echo)] });
    const port = await server.listen("127.0.0.1:0");
    const channel = createGrpcChannel(`127.0.0.1:${port}`);
    const tunnel = createTunnel(channel);
    const client = createTunnelClient(AnalyzerService, tunnel, { defaultTimeoutMs: 5000 });
    try {
      await client.analyze(text("warm"));
      const running = client.analyze(text("delay-300"));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      const stopped = server.shutdown(20_000);
      expect((await running).profile?.mimeType).toBe("delay-300");
      await stopped;
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      tunnel.close();
      channel.close();
    }
  });
});
