import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DescService } from "@bufbuild/protobuf";
import { RegistryService, RouterService } from "@modelrouter/contracts";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { Code, type ClientTls, type ServiceClient } from "@modelrouter/rpc-kit";
import { appStarter, createProcessGroup, createTestCertificates, freePort, type TestCertificates } from "@modelrouter/testing";
import { createTlsClients, refusalOf, type TlsClients } from "./tls-clients.js";

const INTERNAL_TOKEN = "e2e-tls-internal-token-7b2d4e";
const ADMIN_TOKEN = "e2e-tls-admin-token-1f8a3c";
const MODEL = "digits-lite";

describe("TLS and mTLS between five processes (auth on)", () => {
  const group = createProcessGroup();
  const at: Record<"router" | "registry" | "analyzer" | "decision" | "executor" | "http", string> = {
    router: "",
    registry: "",
    analyzer: "",
    decision: "",
    executor: "",
    http: "",
  };
  let certs: TestCertificates;
  let dataDir: string;
  let image: Uint8Array;
  let mutual: ClientTls;
  let clientPem: { ca: Buffer; cert: Buffer; key: Buffer };

  let clients: TlsClients;
  const tlsOf = (withCertificate: boolean): ClientTls => clients.tls(withCertificate);
  const client = <S extends DescService>(service: S, address: string, tls: ClientTls | undefined, token = ADMIN_TOKEN): ServiceClient<S> =>
    clients.client(service, address, tls, token);
  const infer = (tls: ClientTls | undefined) => client(RouterService, at.router, tls).infer({ payload: { kind: { case: "image", value: { data: image } } } });
  const refusal = refusalOf;
  const post = (send: typeof httpsRequest | typeof httpRequest, options: RequestOptions, body: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const [host, port] = at.http.split(":");
      const req = send(
        {
          host,
          port: Number(port),
          method: "POST",
          path: "/modelrouter.router.v1.RouterService/Infer",
          headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
          timeout: 20_000,
          ...options,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        },
      );
      req.once("error", reject);
      req.end(body);
    });

  beforeAll(async () => {
    certs = await createTestCertificates();
    clients = createTlsClients(certs);
    dataDir = await mkdtemp(join(tmpdir(), "modelrouter-tls-e2e-"));
    image = await readFile(loadSampleIndex().find((s) => s.kind === "mnist")!.path);
    clientPem = { ca: await readFile(certs.ca.cert), cert: await readFile(certs.client.cert), key: await readFile(certs.client.key) };
    const ports = await Promise.all(Array.from({ length: 6 }, async () => `127.0.0.1:${await freePort()}`));
    Object.assign(at, { router: ports[0], registry: ports[1], analyzer: ports[2], decision: ports[3], executor: ports[4], http: ports[5] });
    // Every process: its certificate (serverAuth and clientAuth) on its listeners, client certificates required,
    // and the CA to verify the services it calls; authentication on.
    const common = {
      MODELROUTER_TLS_CERT: certs.server.cert,
      MODELROUTER_TLS_KEY: certs.server.key,
      MODELROUTER_TLS_CLIENT_CA: certs.ca.cert,
      MODELROUTER_TLS_CA: certs.ca.cert,
      MODELROUTER_AUTH: "on",
      MODELROUTER_INTERNAL_TOKEN: "env:E2E_INTERNAL_TOKEN",
      E2E_INTERNAL_TOKEN: INTERNAL_TOKEN,
      MODELROUTER_ADMIN_TOKEN: "env:E2E_ADMIN_TOKEN",
      E2E_ADMIN_TOKEN: ADMIN_TOKEN,
    };
    const start = appStarter(group);
    // All five at once: the others reconnect to the registry until it listens.
    await Promise.all([
      start("registry", "registry", { ...common, MODELROUTER_REGISTRY_LISTEN: at.registry, MODELROUTER_REGISTRY_DATA_DIR: join(dataDir, "registry") }),
      start("analyzer", "analyzer", { ...common, MODELROUTER_ANALYZER_LISTEN: at.analyzer }),
      start("executor", "executor", { ...common, MODELROUTER_EXECUTOR_LISTEN: at.executor, MODELROUTER_REGISTRY_ADDRESS: at.registry, MODELROUTER_EXECUTOR_WORKERS: "1" }),
      start("decision-engine", "decision-engine", { ...common, MODELROUTER_DECISION_LISTEN: at.decision, MODELROUTER_REGISTRY_ADDRESS: at.registry }),
      start("router", "router", {
        ...common,
        MODELROUTER_ROUTER_LISTEN: at.router,
        MODELROUTER_ROUTER_HTTP_LISTEN: at.http,
        MODELROUTER_ANALYZER_ADDRESS: at.analyzer,
        MODELROUTER_DECISION_ADDRESS: at.decision,
        MODELROUTER_REGISTRY_ADDRESS: at.registry,
        MODELROUTER_EXECUTOR_ADDRESS: at.executor,
      }),
    ]);
    mutual = tlsOf(true);
    const registry = client(RegistryService, at.registry, mutual);
    await registry.registerModel({ model: loadDemoModels().find((m) => m.name === MODEL)! });
    await registry.applyPolicy({ policy: { name: "all-digits", defaultRoute: { targets: [{ kind: { case: "model", value: { name: MODEL } } }] } } });
    // The system serves once the decision engine and the executor (watching the registry over mTLS) have the policy.
    const end = Date.now() + 40_000;
    for (;;) {
      try {
        await infer(mutual);
        break;
      } catch (error) {
        if (Date.now() > end) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }, 120_000);

  afterAll(async () => {
    clients?.close();
    await group.stopAll("SIGTERM", 20_000).catch(() => undefined);
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    await certs?.remove();
  });

  it("serves a client's Infer over mTLS through every service, each hop over mTLS", async () => {
    const answer = await infer(mutual);
    expect(answer.model?.name).toBe(MODEL);
    expect(answer.outputs.length).toBeGreaterThan(0);
  });

  it("serves Infer over Connect/JSON on HTTPS to a client with a certificate", async () => {
    const body = JSON.stringify({ payload: { image: { data: Buffer.from(image).toString("base64") } } });
    const answer = await post(httpsRequest, { ca: clientPem.ca, cert: clientPem.cert, key: clientPem.key }, body);
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.body) as { model: { name: string } }).model.name).toBe(MODEL);
  });

  it("refuses a plaintext client, and a TLS client without a certificate, on gRPC and on Connect", async () => {
    expect((await refusal(infer(undefined))).code).toBe(Code.UNAVAILABLE);
    const anonymous = await refusal(infer(tlsOf(false)));
    expect(anonymous.code).toBe(Code.UNAVAILABLE);
    expect(anonymous.message).toMatch(/certificate required/);

    await expect(post(httpRequest, {}, "{}")).rejects.toThrow();
    await expect(post(httpsRequest, { ca: clientPem.ca }, "{}")).rejects.toThrow(/certificate required/);
  });

  it("keeps the internal services closed to a caller without a certificate", async () => {
    const refused = await refusal(client(RegistryService, at.registry, tlsOf(false)).listModels({}));
    expect(refused.code).toBe(Code.UNAVAILABLE);
    expect(refused.message).toMatch(/certificate required/);
  });
});
