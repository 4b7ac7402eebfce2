import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DescService } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ExecutorService, RegistryService, Role, RouterService } from "@modelrouter/contracts";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { Code, isRpcError, type ClientTls, type RpcError, type ServiceClient } from "@modelrouter/rpc-kit";
import {
  appStarter,
  createProcessGroup,
  createTestCertificates,
  freePort,
  repoRoot,
  startPostgresCluster,
  type PostgresCluster,
  type RunningProcess,
  type TestCertificates,
} from "@modelrouter/testing";
import { createTlsClients, refusalOf, type TlsClients } from "./tls-clients.js";
import { eventually } from "./hostile/demo-system.js";

const MODEL = "digits-lite";
const EXAMPLES = join(repoRoot, "docs", "examples");
/** Where the example files put certificates and secrets; the test moves it to a temporary directory. */
const ETC = "/etc/modelrouter/";

/** The variables of an env file (`NAME=value` lines; comments and blank lines skipped), with `/etc/modelrouter/` moved to `root`. */
async function readEnvFile(file: string, root: string): Promise<Record<string, string>> {
  const vars: Record<string, string> = {};
  for (const line of (await readFile(join(EXAMPLES, file), "utf8")).split("\n")) {
    const text = line.trim();
    if (text === "" || text.startsWith("#")) continue;
    const at = text.indexOf("=");
    if (at <= 0) throw new Error(`${file}: "${text}" is not NAME=value`);
    vars[text.slice(0, at)] = text.slice(at + 1).split(ETC).join(`${root}/`);
  }
  return vars;
}

describe("the production configuration of docs/examples (auth, TLS and mTLS, limits, PostgreSQL) on five processes", () => {
  const group = createProcessGroup();
  const at = { router: "", registry: "", analyzer: "", decision: "", executor: "" };
  const keys = { acme: "", trial: "" };
  let root: string;
  let certs: TestCertificates;
  let postgres: PostgresCluster;
  let registryProcess: RunningProcess;
  let adminToken: string;
  let image: Uint8Array;

  let clients: TlsClients;
  const tls = (withCertificate: boolean): ClientTls => clients.tls(withCertificate);
  const client = <S extends DescService>(service: S, address: string, transport: ClientTls | undefined, token: string | undefined): ServiceClient<S> =>
    clients.client(service, address, transport, token);
  const admin = (): ServiceClient<typeof RegistryService> => client(RegistryService, at.registry, tls(true), adminToken);
  const infer = (transport: ClientTls | undefined, token: string | undefined) =>
    client(RouterService, at.router, transport, token).infer({ payload: { kind: { case: "image", value: { data: image } } } });
  const refusal = refusalOf;

  beforeAll(async () => {
    [certs, postgres] = await Promise.all([createTestCertificates(), startPostgresCluster()]);
    clients = createTlsClients(certs);
    root = await mkdtemp(join(tmpdir(), "modelrouter-production-e2e-"));
    image = await readFile(loadSampleIndex().find((s) => s.kind === "mnist")!.path);
    adminToken = `admin-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    // The mounted secrets and certificates of the example, under the temporary root.
    await Promise.all(["auth", "tls", "registry"].map((dir) => mkdir(join(root, dir))));
    await writeFile(join(root, "auth", "internal-token"), `internal-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}\n`);
    await writeFile(join(root, "auth", "admin-token"), `${adminToken}\n`);
    await writeFile(join(root, "registry", "database-url"), `${postgres.url}\n`);
    await copyFile(certs.server.cert, join(root, "tls", "tls.crt"));
    await copyFile(certs.server.key, join(root, "tls", "tls.key"));
    await copyFile(certs.ca.cert, join(root, "tls", "ca.crt"));

    const production = await readEnvFile("production.env", root);
    const internal = { ...production, ...(await readEnvFile("production-internal.env", root)) };
    const ports = await Promise.all(Array.from({ length: 5 }, async () => `127.0.0.1:${await freePort()}`));
    Object.assign(at, { router: ports[0], registry: ports[1], analyzer: ports[2], decision: ports[3], executor: ports[4] });
    const start = appStarter(group);
    [registryProcess] = await Promise.all([
      start("registry", "registry", { ...internal, MODELROUTER_REGISTRY_LISTEN: at.registry }),
      start("analyzer", "analyzer", { ...internal, MODELROUTER_ANALYZER_LISTEN: at.analyzer }),
      start("executor", "executor", { ...internal, MODELROUTER_EXECUTOR_LISTEN: at.executor, MODELROUTER_REGISTRY_ADDRESS: at.registry, MODELROUTER_EXECUTOR_WORKERS: "1" }),
      start("decision-engine", "decision-engine", { ...internal, MODELROUTER_DECISION_LISTEN: at.decision, MODELROUTER_REGISTRY_ADDRESS: at.registry }),
      start("router", "router", {
        ...production,
        MODELROUTER_ROUTER_LISTEN: at.router,
        MODELROUTER_ANALYZER_ADDRESS: at.analyzer,
        MODELROUTER_DECISION_ADDRESS: at.decision,
        MODELROUTER_REGISTRY_ADDRESS: at.registry,
        MODELROUTER_EXECUTOR_ADDRESS: at.executor,
      }),
    ]);

    // Bootstrap as an operator: the admin token and a client certificate, as the example's comments say.
    const registry = admin();
    await registry.registerModel({ model: loadDemoModels().find((m) => m.name === MODEL)! });
    await registry.applyPolicy({ policy: { name: "all-digits", defaultRoute: { targets: [{ kind: { case: "model", value: { name: MODEL } } }] } } });
    keys.acme = (await registry.createApiKey({ key: { tenant: "acme", roles: [Role.CLIENT], description: "production e2e" } })).secret;
    keys.trial = (await registry.createApiKey({ key: { tenant: "trial", roles: [Role.CLIENT], description: "production e2e" } })).secret;
    // Serving once the decision engine and the executor (authenticated watchers of the registry) have the policy.
    await eventually(() => infer(tls(false), keys.acme), 400);
  }, 150_000);

  afterAll(async () => {
    clients?.close();
    await group.stopAll("SIGTERM", 20_000).catch(() => undefined);
    await postgres?.stop();
    await certs?.remove();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it("keeps the registry in PostgreSQL, its URL read from the mounted secret", () => {
    expect(registryProcess.output.some((line) => line.includes('"msg":"registry store open"') && line.includes('"database":"PostgreSQL"'))).toBe(true);
    expect(registryProcess.output.join("\n")).not.toContain(postgres.url);
  });

  it("serves a client's API key over TLS (no client certificate needed at the router) and logs the request under the key's tenant", async () => {
    const answer = await infer(tls(false), keys.acme);
    expect(answer.model?.name).toBe(MODEL);
    const end = Date.now() + 10_000;
    let tenant: string | undefined;
    while (tenant === undefined && Date.now() < end) {
      tenant = await admin()
        .getDecision({ requestId: answer.requestId })
        .then(
          (r) => r.decision?.tenant,
          () => undefined,
        );
      if (tenant === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(tenant).toBe("acme");
  });

  it("refuses plaintext, and a request without a credential, at the router", async () => {
    expect((await refusal(infer(undefined, keys.acme))).code).toBe(Code.UNAVAILABLE);
    expect(await refusal(infer(tls(false), undefined))).toMatchObject({ code: Code.UNAUTHENTICATED, reason: "UNAUTHENTICATED" });
  });

  it("limits the tenant trial to its quota and rate: RESOURCE_EXHAUSTED with a retry hint, while others are served", async () => {
    const outcome = (call: Promise<unknown>) =>
      call.then(
        () => undefined,
        (e: unknown) => e,
      );
    // Four at once: its concurrency quota (2) or its burst (2) admits two.
    const together = (await Promise.all(Array.from({ length: 4 }, () => outcome(infer(tls(false), keys.trial))))).filter(isRpcError);
    expect(together.length).toBeGreaterThanOrEqual(2);
    // One after another, faster than 2 per second: its bucket runs dry.
    let rateLimited: RpcError | undefined;
    for (let i = 0; i < 10 && rateLimited === undefined; i++) {
      const error = await outcome(infer(tls(false), keys.trial));
      if (isRpcError(error) && error.reason === "TENANT_RATE_LIMITED") rateLimited = error;
    }
    for (const error of [...together, rateLimited]) {
      expect(error).toMatchObject({ code: Code.RESOURCE_EXHAUSTED, metadata: expect.objectContaining({ tenant: "trial" }) });
      expect(["TENANT_RATE_LIMITED", "TENANT_CONCURRENCY_LIMITED"]).toContain(error?.reason);
    }
    expect(rateLimited?.metadata?.["retryAfterMs"]).toMatch(/^\d+$/);
    expect((await infer(tls(false), keys.acme)).model?.name).toBe(MODEL);
  });

  it("keeps the services behind the router closed to a client: no certificate is refused the handshake, and a certificate with a client key is not enough", async () => {
    const bare = await refusal(client(ExecutorService, at.executor, tls(false), keys.acme).execute({}));
    expect(bare.code).toBe(Code.UNAVAILABLE);
    expect(bare.message).toMatch(/certificate required/);
    const withCertificate = await refusal(client(ExecutorService, at.executor, tls(true), keys.acme).execute({}));
    expect(withCertificate.code).toBe(Code.UNAUTHENTICATED);
    const registry = await refusal(client(RegistryService, at.registry, tls(true), keys.acme).createApiKey({}));
    expect(registry.code).toBe(Code.PERMISSION_DENIED);
  });
});
