import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { join } from "node:path";
import { connect, type PeerCertificate } from "node:tls";
import { create } from "@bufbuild/protobuf";
import { AnalyzeResponseSchema, AnalyzerService, Health, HealthCheckResponse_ServingStatus as Status } from "@modelrouter/contracts";
import { ConfigError, EnvReader } from "@modelrouter/config";
import { Code, createGrpcChannel, createGrpcClient, isRpcError, type ClientTls, type GrpcChannel } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { createTestCertificates, type TestCertificates } from "@modelrouter/testing";
import type { Component } from "./component.js";
import { runHost, type RunningHost } from "./run-host.js";
import { loadServiceTls, PLAINTEXT, readTlsConfig, type ServiceTls, type TlsConfig } from "./tls-config.js";

const analyzer: Component<typeof AnalyzerService> = {
  service: AnalyzerService,
  impl: { analyze: async () => create(AnalyzeResponseSchema) },
};

const file = (setting: string, path: string) => ({ setting, path });

describe("TLS on a service's listeners and calls", () => {
  let certs: TestCertificates;
  const lines: string[] = [];
  const logger = createLogger({ service: "test", write: (line) => lines.push(line) });
  const opened: { close(): void }[] = [];
  let host: RunningHost | undefined;

  beforeAll(async () => {
    certs = await createTestCertificates();
  });
  afterAll(async () => {
    await certs.remove();
  });
  afterEach(async () => {
    await host?.stop();
    host = undefined;
    for (const each of opened.splice(0)) each.close();
    lines.length = 0;
  });

  const serverConfig = (dir = certs.dir, mutual = false): TlsConfig => ({
    cert: file("MODELROUTER_TLS_CERT", join(dir, "server.crt")),
    key: file("MODELROUTER_TLS_KEY", join(dir, "server.key")),
    clientCa: mutual ? file("MODELROUTER_TLS_CLIENT_CA", certs.ca.cert) : undefined,
  });
  const clientConfig = (withCertificate: boolean, ca = certs.ca.cert): TlsConfig => ({
    ca: file("MODELROUTER_TLS_CA", ca),
    ...(withCertificate ? { clientCert: file("MODELROUTER_TLS_CLIENT_CERT", certs.client.cert), clientKey: file("MODELROUTER_TLS_CLIENT_KEY", certs.client.key) } : {}),
  });
  const load = (config: TlsConfig): ServiceTls => {
    const tls = loadServiceTls(config, logger, { pollIntervalMs: 50 });
    opened.push(tls);
    return tls;
  };
  const serve = async (tls: ServiceTls): Promise<{ grpcPort: number; httpPort: number }> => {
    host = await runHost({
      name: "test",
      logger,
      components: [analyzer],
      servers: [{ listen: "127.0.0.1:0", http: "127.0.0.1:0", components: [analyzer], exposure: "internal" }],
      tls,
      shutdownGraceMs: 500,
      flushTelemetry: async () => undefined,
    });
    await host.ready;
    const { grpcPort, httpPort } = host.servers[0]!;
    return { grpcPort, httpPort: httpPort! };
  };
  const healthOver = (port: number, tls: ClientTls | undefined) => {
    const channel: GrpcChannel = createGrpcChannel(`127.0.0.1:${port}`, { tls });
    opened.push(channel);
    return createGrpcClient(Health, channel, { defaultTimeoutMs: 5000 });
  };
  const refusal = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isRpcError(error)) throw new Error(`expected the call to be refused, got ${String(error)}`);
    return error;
  };
  /** The certificate a new TLS connection to `port` is shown. */
  const presented = (port: number, alpn: string): Promise<PeerCertificate> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port, servername: "localhost", rejectUnauthorized: false, ALPNProtocols: [alpn] }, () => {
        resolve(socket.getPeerCertificate());
        socket.destroy();
      });
      socket.once("error", reject);
    });
  const connectInfer = (port: number, options: { ca?: string; cert?: Buffer; key?: Buffer; caBytes?: Buffer }) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: `/${AnalyzerService.typeName}/Analyze`,
          headers: { "content-type": "application/json" },
          ...(options.caBytes === undefined ? {} : { ca: options.caBytes }),
          ...(options.cert === undefined ? {} : { cert: options.cert, key: options.key }),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        },
      );
      req.once("error", reject);
      req.end("{}");
    });
  const logged = (text: string): Promise<string> =>
    new Promise((resolve) => {
      const poll = (): void => {
        const line = lines.find((l) => l.includes(text));
        if (line === undefined) setTimeout(poll, 20);
        else resolve(line);
      };
      poll();
    });

  it("serves gRPC and Connect over TLS to a client that trusts the CA", async () => {
    const { grpcPort, httpPort } = await serve(load(serverConfig()));
    const health = healthOver(grpcPort, load(clientConfig(false)).client);
    expect((await health.check({ service: "" })).status).toBe(Status.SERVING);

    const answer = await connectInfer(httpPort, { caBytes: load(clientConfig(false)).client!.files.material.ca! });
    expect(answer).toEqual({ status: 200, body: "{}" });
  });

  it("refuses plaintext, and a client that does not trust the server's CA sees why", async () => {
    const { grpcPort, httpPort } = await serve(load(serverConfig()));
    const plaintext = await refusal(healthOver(grpcPort, undefined).check({ service: "" }));
    expect(plaintext.code).toBe(Code.UNAVAILABLE);

    const other = await certs.otherCa();
    const untrusting = await refusal(healthOver(grpcPort, load(clientConfig(false, other.cert)).client).check({ service: "" }));
    expect(untrusting.code).toBe(Code.UNAVAILABLE);
    expect(untrusting.message).toMatch(/unable to verify the first certificate/);

    await expect(connectInfer(httpPort, { caBytes: Buffer.from(await readText(other.cert)) })).rejects.toThrow(/certificate/i);
  });

  it("a TLS client of a plaintext server fails UNAVAILABLE rather than talking in the clear", async () => {
    const { grpcPort } = await serve(PLAINTEXT);
    const refused = await refusal(healthOver(grpcPort, load(clientConfig(false)).client).check({ service: "" }));
    expect(refused.code).toBe(Code.UNAVAILABLE);
  });

  it("with a client CA, refuses a client without a certificate and serves one with a certificate the CA signed", async () => {
    const { grpcPort, httpPort } = await serve(load(serverConfig(certs.dir, true)));
    const anonymous = await refusal(healthOver(grpcPort, load(clientConfig(false)).client).check({ service: "" }));
    expect(anonymous.code).toBe(Code.UNAVAILABLE);
    expect(anonymous.message).toMatch(/certificate required/);

    const mutual = healthOver(grpcPort, load(clientConfig(true)).client);
    expect((await mutual.check({ service: "" })).status).toBe(Status.SERVING);

    const caBytes = Buffer.from(await readText(certs.ca.cert));
    await expect(connectInfer(httpPort, { caBytes })).rejects.toThrow();
    const answer = await connectInfer(httpPort, { caBytes, cert: Buffer.from(await readText(certs.client.cert)), key: Buffer.from(await readText(certs.client.key)) });
    expect(answer).toEqual({ status: 200, body: "{}" });
  });

  it("presents a replaced certificate to new connections without a restart, and keeps it when a bad file replaces it", async () => {
    const dir = join(certs.dir, "reload");
    await mkdir(dir, { recursive: true });
    await copyFile(certs.server.cert, join(dir, "server.crt"));
    await copyFile(certs.server.key, join(dir, "server.key"));
    const { grpcPort, httpPort } = await serve(load(serverConfig(dir)));
    expect((await presented(grpcPort, "h2")).serialNumber).toBe(certs.server.serial);
    const trusting = healthOver(grpcPort, load(clientConfig(false)).client);
    expect((await trusting.check({ service: "" })).status).toBe(Status.SERVING);

    const renewed = await certs.ca.issue("renewed");
    await copyFile(renewed.key, join(dir, "server.key"));
    await copyFile(renewed.cert, join(dir, "server.crt"));
    await logged(`certificate serial ${renewed.serial}`);
    expect((await presented(grpcPort, "h2")).serialNumber).toBe(renewed.serial);
    expect((await presented(httpPort, "http/1.1")).serialNumber).toBe(renewed.serial);
    expect((await healthOver(grpcPort, load(clientConfig(false)).client).check({ service: "" })).status).toBe(Status.SERVING);

    await writeFile(join(dir, "server.crt"), "not a certificate\n");
    const warning = await logged("cannot be used");
    expect(warning).toContain('"level":"warn"');
    expect(warning).toContain(`MODELROUTER_TLS_CERT (${join(dir, "server.crt")}) holds no PEM certificate`);
    expect((await presented(grpcPort, "h2")).serialNumber).toBe(renewed.serial);
    expect((await presented(httpPort, "http/1.1")).serialNumber).toBe(renewed.serial);
  });
});

function readText(path: string): Promise<string> {
  return readFile(path, "utf8");
}

describe("TLS settings", () => {
  let certs: TestCertificates;
  beforeAll(async () => {
    certs = await createTestCertificates();
  });
  afterAll(async () => {
    await certs.remove();
  });
  const logger = createLogger({ service: "test", write: () => undefined });
  const problemsOf = (vars: Record<string, string>): readonly string[] => {
    const env = new EnvReader(vars);
    readTlsConfig(env);
    try {
      env.done();
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };
  const startupError = (vars: Record<string, string>): string => {
    const env = new EnvReader(vars);
    const config = readTlsConfig(env);
    env.done();
    try {
      loadServiceTls(config, logger).close();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems.join("\n");
    }
    throw new Error("expected a startup error");
  };

  it("are all off by default", () => {
    const tls = loadServiceTls(readTlsConfig(new EnvReader({})), logger);
    expect(tls.server).toBeUndefined();
    expect(tls.client).toBeUndefined();
  });

  it("name the variable and the fix when they do not go together", () => {
    expect(problemsOf({ MODELROUTER_TLS_CERT: "/a.crt" })).toEqual([expect.stringMatching(/^MODELROUTER_TLS_CERT and MODELROUTER_TLS_KEY go together: set both/)]);
    expect(problemsOf({ MODELROUTER_TLS_CLIENT_CA: "/ca.crt" })).toEqual([expect.stringMatching(/^MODELROUTER_TLS_CLIENT_CA requires .*also set MODELROUTER_TLS_CERT/)]);
    expect(problemsOf({ MODELROUTER_TLS_CLIENT_CERT: "/c.crt", MODELROUTER_TLS_CLIENT_KEY: "/c.key" })).toEqual([expect.stringMatching(/also set MODELROUTER_TLS_CA/)]);
    expect(problemsOf({ MODELROUTER_TLS_CA: "/ca.crt", MODELROUTER_TLS_CLIENT_KEY: "/c.key" })).toEqual([expect.stringMatching(/^MODELROUTER_TLS_CLIENT_CERT and MODELROUTER_TLS_CLIENT_KEY go together/)]);
  });

  it("refuse to start on a file that is missing, unparsable or not the certificate's key, naming its variable", async () => {
    const missing = join(certs.dir, "missing.crt");
    expect(startupError({ MODELROUTER_TLS_CERT: missing, MODELROUTER_TLS_KEY: certs.server.key })).toBe(
      `MODELROUTER_TLS_CERT: cannot read ${missing} (ENOENT): give the path of a readable PEM file`,
    );
    const garbage = join(certs.dir, "garbage.pem");
    await writeFile(garbage, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
    expect(startupError({ MODELROUTER_TLS_CA: garbage })).toMatch(/^MODELROUTER_TLS_CA \(.*garbage\.pem\): certificate 1 cannot be parsed/);
    expect(startupError({ MODELROUTER_TLS_CERT: certs.server.cert, MODELROUTER_TLS_KEY: certs.server.cert })).toMatch(/^MODELROUTER_TLS_KEY \(.*\) is not a PEM private key/);
    expect(startupError({ MODELROUTER_TLS_CERT: certs.server.cert, MODELROUTER_TLS_KEY: certs.client.key })).toMatch(
      /^MODELROUTER_TLS_KEY \(.*client\.key\) is not the key of the certificate in MODELROUTER_TLS_CERT/,
    );
  });
});
