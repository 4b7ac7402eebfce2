import { afterEach, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import {
  AnalyzeResponseSchema,
  AnalyzerService,
  DecideResponseSchema,
  DecisionService,
  Health,
  HealthCheckResponse_ServingStatus as Status,
} from "@modelrouter/contracts";
import { createGrpcChannel, createGrpcClient, LIVENESS_SERVICE, type GrpcChannel } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { EnvReader } from "@modelrouter/config";
import { readCommonConfig } from "./common-config.js";
import type { Component } from "./component.js";
import { runHost, type HostOptions, type RunningHost } from "./run-host.js";

function analyzer(extra: Partial<Component<typeof AnalyzerService>> = {}): Component<typeof AnalyzerService> {
  return { service: AnalyzerService, impl: { analyze: async () => create(AnalyzeResponseSchema) }, ...extra };
}

function decision(extra: Partial<Component<typeof DecisionService>> = {}): Component<typeof DecisionService> {
  return { service: DecisionService, impl: { decide: async () => create(DecideResponseSchema) }, ...extra };
}

describe("runHost", () => {
  const lines: string[] = [];
  let host: RunningHost | undefined;
  const channels: GrpcChannel[] = [];
  afterEach(async () => {
    for (const channel of channels.splice(0)) channel.close();
    await host?.stop();
    host = undefined;
    lines.length = 0;
  });

  const start = (options: Partial<HostOptions> & Pick<HostOptions, "components" | "servers">, flushed: string[] = []) =>
    runHost({
      name: "test",
      logger: createLogger({ service: "test", write: (line) => lines.push(line) }),
      shutdownGraceMs: 1000,
      flushTelemetry: async () => void flushed.push("telemetry"),
      ...options,
    });
  const healthOf = (port: number) => {
    const channel = createGrpcChannel(`127.0.0.1:${port}`);
    channels.push(channel);
    return createGrpcClient(Health, channel, { defaultTimeoutMs: 2000 });
  };

  it("serves its components, reports SERVING and logs ready", async () => {
    const component = analyzer();
    host = await start({ components: [component], servers: [{ listen: "127.0.0.1:0", components: [component], exposure: "internal" }] });
    await host.ready;
    const health = healthOf(host.servers[0]!.grpcPort);
    expect((await health.check({ service: AnalyzerService.typeName })).status).toBe(Status.SERVING);
    expect((await health.check({ service: "" })).status).toBe(Status.SERVING);
    expect(lines.some((line) => line.includes('"msg":"ready"'))).toBe(true);
  });

  it("is not ready — on every port — until every component it hosts is, served or not", async () => {
    let ready!: () => void;
    const inProcess = analyzer({ ready: new Promise<void>((resolve) => (ready = resolve)) });
    const served = decision();
    host = await start({ components: [inProcess, served], servers: [{ listen: "127.0.0.1:0", components: [served], exposure: "public" }] });
    const health = healthOf(host.servers[0]!.grpcPort);
    expect((await health.check({ service: DecisionService.typeName })).status).toBe(Status.SERVING);
    expect((await health.check({ service: "" })).status).toBe(Status.NOT_SERVING);
    expect((await health.check({ service: LIVENESS_SERVICE })).status).toBe(Status.SERVING);
    ready();
    await host.ready;
    expect((await health.check({ service: "" })).status).toBe(Status.SERVING);
  });

  it("serves several servers, each with its own components", async () => {
    const a = analyzer();
    const r = decision();
    host = await start({
      components: [a, r],
      servers: [
        { listen: "127.0.0.1:0", components: [a], exposure: "public" },
        { listen: "127.0.0.1:0", components: [r], exposure: "public" },
      ],
    });
    const decide = (port: number) => {
      const channel = createGrpcChannel(`127.0.0.1:${port}`);
      channels.push(channel);
      return createGrpcClient(DecisionService, channel, { defaultTimeoutMs: 2000 }).decide({});
    };
    expect(await decide(host.servers[0]!.grpcPort).catch((e: unknown) => e)).toMatchObject({ code: 12 });
    await expect(decide(host.servers[1]!.grpcPort)).resolves.toBeDefined();
  });

  it("stops once however often it is asked: servers, then components in reverse order, then telemetry", async () => {
    const order: string[] = [];
    const first = analyzer({ close: async () => void order.push("analyzer") });
    const second = decision({ close: async () => void order.push("decision") });
    const running = await start({ components: [first, second], servers: [{ listen: "127.0.0.1:0", components: [first], exposure: "internal" }] }, order);
    await Promise.all([running.stop(), running.stop()]);
    await running.stop();
    expect(order).toEqual(["decision", "analyzer", "telemetry"]);
  });
});

describe("readCommonConfig", () => {
  it("reads the log level, shutdown grace and call timeout, authentication and TLS (both off by default)", () => {
    const env = new EnvReader({ MODELROUTER_LOG_LEVEL: "debug", MODELROUTER_SHUTDOWN_GRACE: "2s", MODELROUTER_CALL_TIMEOUT: "750ms" });
    expect(readCommonConfig(env)).toEqual({ logLevel: "debug", shutdownGraceMs: 2000, callTimeoutMs: 750, auth: expect.objectContaining({ mode: "off" }), tls: {} });
  });
});
