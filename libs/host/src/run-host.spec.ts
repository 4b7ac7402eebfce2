import { afterEach, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { AnalyzeResponseSchema, AnalyzerService, Health, HealthCheckResponse_ServingStatus as Status } from "@modelrouter/contracts";
import { createGrpcChannel, createGrpcClient, serviceRegistration, type GrpcChannel } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { readCommonConfig } from "./common-config.js";
import { runHost, type RunningHost } from "./run-host.js";
import { EnvReader } from "@modelrouter/config";

const analyzer = serviceRegistration(AnalyzerService, { analyze: async () => create(AnalyzeResponseSchema) });

describe("runHost", () => {
  const lines: string[] = [];
  let host: RunningHost | undefined;
  let channel: GrpcChannel | undefined;
  afterEach(async () => {
    channel?.close();
    await host?.stop();
    lines.length = 0;
  });

  const start = (extra: Partial<Parameters<typeof runHost>[0]> = {}, closed: string[] = []) =>
    runHost({
      name: "test",
      logger: createLogger({ service: "test", write: (line) => lines.push(line) }),
      listen: "127.0.0.1:0",
      services: [analyzer],
      closeables: [
        { name: "first", close: async () => void closed.push("first") },
        { name: "second", close: async () => void closed.push("second") },
      ],
      shutdownGraceMs: 1000,
      flushTelemetry: async () => void closed.push("telemetry"),
      ...extra,
    });

  it("serves, reports SERVING and logs ready", async () => {
    host = await start();
    channel = createGrpcChannel(`127.0.0.1:${host.grpcPort}`);
    const health = createGrpcClient(Health, channel, { defaultTimeoutMs: 2000 });
    expect((await health.check({ service: AnalyzerService.typeName })).status).toBe(Status.SERVING);
    expect(lines.some((line) => line.includes('"msg":"ready"'))).toBe(true);
  });

  it("keeps gated services NOT_SERVING until they are ready", async () => {
    let ready!: () => void;
    host = await start({ readiness: { services: [AnalyzerService.typeName], ready: new Promise<void>((r) => (ready = r)) } });
    channel = createGrpcChannel(`127.0.0.1:${host.grpcPort}`);
    const health = createGrpcClient(Health, channel, { defaultTimeoutMs: 2000 });
    expect((await health.check({ service: AnalyzerService.typeName })).status).toBe(Status.NOT_SERVING);
    ready();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await health.check({ service: AnalyzerService.typeName })).status).toBe(Status.SERVING);
  });

  it("stops the server, closes its parts in reverse order, then flushes telemetry", async () => {
    const closed: string[] = [];
    const running = await start({}, closed);
    await running.stop();
    expect(closed).toEqual(["second", "first", "telemetry"]);
  });
});

describe("readCommonConfig", () => {
  it("reads the log level, shutdown grace and call timeout", () => {
    const env = new EnvReader({ MODELROUTER_LOG_LEVEL: "debug", MODELROUTER_SHUTDOWN_GRACE: "2s", MODELROUTER_CALL_TIMEOUT: "750ms" });
    expect(readCommonConfig(env)).toEqual({ logLevel: "debug", shutdownGraceMs: 2000, callTimeoutMs: 750 });
  });
});
