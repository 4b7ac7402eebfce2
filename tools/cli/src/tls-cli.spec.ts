import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { ListModelsResponseSchema, RegistryService } from "@modelrouter/contracts";
import { Code, createGrpcServer, loadCertificateFiles, RpcError, serviceRegistration, type GrpcServer } from "@modelrouter/rpc-kit";
import { createTestCertificates, type TestCertificates } from "@modelrouter/testing";
import { capture } from "./io.test-support.js";
import { main } from "./main.js";

/** A registry serving only ListModels. */
const registry = new Proxy(
  { listModels: () => Promise.resolve(create(ListModelsResponseSchema, {})) } as Record<string, () => Promise<unknown>>,
  { get: (target, name: string) => target[name] ?? (() => Promise.reject(new RpcError({ code: Code.UNIMPLEMENTED, message: "not in this spec" }))) },
) as never;

describe("the CLI over TLS", () => {
  let certs: TestCertificates;
  let otherCa: string;
  const servers: GrpcServer[] = [];
  const closers: { close(): void }[] = [];
  let tlsAt: string;
  let mutualAt: string;

  const serve = async (mutual: boolean): Promise<string> => {
    const files = loadCertificateFiles({
      identity: { cert: { setting: "cert", path: certs.server.cert }, key: { setting: "key", path: certs.server.key } },
      ca: mutual ? { setting: "client ca", path: certs.ca.cert } : undefined,
    });
    closers.push(files);
    const server = createGrpcServer({ services: [serviceRegistration(RegistryService, registry)], tls: { files } });
    servers.push(server);
    return `127.0.0.1:${await server.listen("127.0.0.1:0")}`;
  };

  beforeAll(async () => {
    certs = await createTestCertificates();
    otherCa = (await certs.otherCa()).cert;
    tlsAt = await serve(false);
    mutualAt = await serve(true);
  }, 60_000);
  afterAll(async () => {
    for (const server of servers) await server.shutdown(100);
    for (const each of closers) each.close();
    await certs?.remove();
  });

  const run = async (args: readonly string[], env: NodeJS.ProcessEnv = {}) => {
    const io = capture();
    const code = await main(["--timeout", "5000", ...args], io, env);
    return { code, out: io.outText(), err: io.errText() };
  };

  it("calls a TLS server verified with --tls-ca, or with MODELROUTER_TLS_CA", async () => {
    expect(await run(["--registry", tlsAt, "--tls-ca", certs.ca.cert, "models", "list"])).toMatchObject({ code: 0 });
    expect(await run(["--registry", `grpcs://${tlsAt}`, "models", "list"], { MODELROUTER_TLS_CA: certs.ca.cert })).toMatchObject({ code: 0 });
  });

  it("says so when the server's certificate is not signed by the CA in --tls-ca", async () => {
    const refused = await run(["--registry", tlsAt, "--tls-ca", otherCa, "models", "list"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("hint: the server's certificate is not signed by the CA in --tls-ca");
  });

  it("says an https address needs the server's CA when this machine does not trust it", async () => {
    const refused = await run(["--registry", `https://${tlsAt}`, "models", "list"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("give its CA bundle with --tls-ca FILE");
  });

  it("presents --tls-cert and --tls-key to a server that requires a client certificate, and says when they are missing", async () => {
    const refused = await run(["--registry", mutualAt, "--tls-ca", certs.ca.cert, "models", "list"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("hint: the server requires a client certificate (mTLS): give --tls-cert FILE and --tls-key FILE");
    const mutual = ["--registry", mutualAt, "--tls-ca", certs.ca.cert, "--tls-cert", certs.client.cert, "--tls-key", certs.client.key, "models", "list"];
    expect(await run(mutual)).toMatchObject({ code: 0 });
  });

  it("names the flag of a file it cannot use", async () => {
    const missing = await run(["--registry", tlsAt, "--tls-ca", `${certs.dir}/nope.pem`, "models", "list"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`--tls-ca: cannot read ${certs.dir}/nope.pem (ENOENT)`);
    const unpaired = await run(["--registry", tlsAt, "--tls-cert", certs.client.cert, "models", "list"]);
    expect(unpaired.code).toBe(2);
    expect(unpaired.err).toContain("--tls-cert and --tls-key go together");
  });
});
