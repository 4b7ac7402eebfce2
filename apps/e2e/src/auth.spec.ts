import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DescService } from "@bufbuild/protobuf";
import { AnalyzerService, DecisionService, ExecutorService, RegistryService, Role, RouterService } from "@modelrouter/contracts";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { codeName, createGrpcChannel, createGrpcClient, isRpcError, type GrpcChannel, type ServiceClient } from "@modelrouter/rpc-kit";
import { appStarter, createProcessGroup, freePort, type RunningProcess } from "@modelrouter/testing";

const INTERNAL_TOKEN = "e2e-internal-token-5c1f0a7d9e";
const ADMIN_TOKEN = "e2e-admin-token-93be6d24f1";
const MODEL = "digits-lite";

/** Every process's settings: authentication on, the two tokens read from variables of their own. */
const AUTH = {
  MODELROUTER_AUTH: "on",
  MODELROUTER_INTERNAL_TOKEN: "env:E2E_INTERNAL_TOKEN",
  E2E_INTERNAL_TOKEN: INTERNAL_TOKEN,
  MODELROUTER_ADMIN_TOKEN: "env:E2E_ADMIN_TOKEN",
  E2E_ADMIN_TOKEN: ADMIN_TOKEN,
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** How a call ended: OK, or its status name. */
async function outcomeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "OK";
  } catch (error) {
    if (isRpcError(error)) return codeName(error.code);
    throw error;
  }
}

/** A refused caller: UNAUTHENTICATED or PERMISSION_DENIED; "allowed" is any other outcome (the handler ran). */
const verdict = (outcome: string): string => (outcome === "UNAUTHENTICATED" || outcome === "PERMISSION_DENIED" ? outcome : "allowed");

describe("authentication on every service (five processes, MODELROUTER_AUTH=on)", () => {
  const group = createProcessGroup();
  const channels: GrpcChannel[] = [];
  const addresses: Record<"router" | "registry" | "analyzer" | "decision" | "executor", string> = { router: "", registry: "", analyzer: "", decision: "", executor: "" };
  let dataDir: string;
  let processes: RunningProcess[];
  let image: Uint8Array;
  let routerHttp: string;
  const keys: Record<"acme" | "viewer" | "revoked", string> = { acme: "", viewer: "", revoked: "" };

  const client = <S extends DescService>(service: S, at: keyof typeof addresses, headers?: Record<string, string>): ServiceClient<S> => {
    const channel = createGrpcChannel(addresses[at]);
    channels.push(channel);
    return createGrpcClient(service, channel, { defaultTimeoutMs: 20_000, headers });
  };
  const infer = (headers: Record<string, string> | undefined, tenant = "") =>
    client(RouterService, "router", headers).infer({ payload: { kind: { case: "image", value: { data: image } } }, tenant });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "modelrouter-auth-"));
    image = await readFile(loadSampleIndex().find((s) => s.kind === "mnist")!.path);
    const [registryAt, analyzerAt, decisionAt, routerAt, executorAt, httpAt] = await Promise.all(Array.from({ length: 6 }, async () => `127.0.0.1:${await freePort()}`));
    routerHttp = httpAt!;
    Object.assign(addresses, { router: routerAt, registry: registryAt, analyzer: analyzerAt, decision: decisionAt, executor: executorAt });
    const start = appStarter(group);
    const registryProcess = await start("registry", "registry", { ...AUTH, MODELROUTER_REGISTRY_LISTEN: registryAt!, MODELROUTER_REGISTRY_DATA_DIR: join(dataDir, "registry") });
    const started = await Promise.all([
      start("analyzer", "analyzer", { ...AUTH, MODELROUTER_ANALYZER_LISTEN: analyzerAt! }),
      start("executor", "executor", { ...AUTH, MODELROUTER_EXECUTOR_LISTEN: executorAt!, MODELROUTER_REGISTRY_ADDRESS: registryAt!, MODELROUTER_EXECUTOR_WORKERS: "1" }),
      start("decision-engine", "decision-engine", { ...AUTH, MODELROUTER_DECISION_LISTEN: decisionAt!, MODELROUTER_REGISTRY_ADDRESS: registryAt! }),
    ]);
    const routerProcess = await start("router", "router", {
      ...AUTH,
      MODELROUTER_ROUTER_LISTEN: routerAt!,
      MODELROUTER_ROUTER_HTTP_LISTEN: httpAt!,
      MODELROUTER_ANALYZER_ADDRESS: analyzerAt!,
      MODELROUTER_DECISION_ADDRESS: decisionAt!,
      MODELROUTER_REGISTRY_ADDRESS: registryAt!,
      MODELROUTER_EXECUTOR_ADDRESS: executorAt!,
    });
    processes = [registryProcess, ...started, routerProcess];

    // Bootstrap with the admin token: a model, a policy by tenant, and keys.
    const admin = client(RegistryService, "registry", bearer(ADMIN_TOKEN));
    await admin.registerModel({ model: loadDemoModels().find((m) => m.name === MODEL)! });
    await admin.applyPolicy({
      policy: {
        name: "by-tenant",
        rules: [{ name: "acme", when: 'request.tenant == "acme"', route: { targets: [{ kind: { case: "model", value: { name: MODEL } } }] } }],
        defaultRoute: { targets: [{ kind: { case: "model", value: { name: MODEL } } }] },
      },
    });
    const create = async (tenant: string, role: Role) => (await admin.createApiKey({ key: { tenant, roles: [role], description: "e2e" } })).secret;
    keys.acme = await create("acme", Role.CLIENT);
    keys.viewer = await create("acme", Role.VIEWER);
    keys.revoked = await create("acme", Role.CLIENT);
    const id = /^mrk_([0-9a-f]+)_/.exec(keys.revoked)![1]!;
    await admin.revokeApiKey({ id });

    // The system serves once the decision engine and executor (authenticated watchers of the registry) have the policy.
    const end = Date.now() + 60_000;
    for (;;) {
      try {
        await infer(bearer(keys.acme));
        break;
      } catch (error) {
        if (Date.now() > end) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }, 120_000);

  afterAll(async () => {
    for (const c of channels) c.close();
    await group.stopAll("SIGTERM", 20_000).catch(() => undefined);
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("serves a client's request through every service, each internal hop carrying the internal credential", async () => {
    const answer = await infer(bearer(keys.acme));
    expect(answer.model?.name).toBe(MODEL);
    expect(answer.rule).toBe("acme");
  });

  it("answers each credential on each service as its role allows (a client cannot get around the router)", async () => {
    const credentials: Record<string, Record<string, string> | undefined> = {
      none: undefined,
      garbage: bearer("garbage-that-is-no-key"),
      "malformed API key": bearer("mrk_0000_short"),
      "wrong internal token": { "x-modelrouter-service": "router", "x-modelrouter-service-token": "not-the-internal-token" },
      "viewer key": bearer(keys.viewer),
      "revoked key": bearer(keys.revoked),
      "admin token": bearer(ADMIN_TOKEN),
      "client key": bearer(keys.acme),
    };
    const calls: Record<string, (headers: Record<string, string> | undefined) => Promise<unknown>> = {
      "router Infer": (h) => infer(h),
      "registry ListModels": (h) => client(RegistryService, "registry", h).listModels({}),
      "registry CreateApiKey": (h) => client(RegistryService, "registry", h).createApiKey({}),
      "registry VerifyApiKey": (h) => client(RegistryService, "registry", h).verifyApiKey({ secret: keys.acme }),
      "executor Execute": (h) => client(ExecutorService, "executor", h).execute({}),
      "analyzer Analyze": (h) => client(AnalyzerService, "analyzer", h).analyze({}),
      "decision engine Decide": (h) => client(DecisionService, "decision", h).decide({}),
    };
    const refusedEverywhere = (code: string) => Object.fromEntries(Object.keys(calls).map((call) => [call, code]));
    const internalOnly = { "registry VerifyApiKey": "PERMISSION_DENIED", "executor Execute": "PERMISSION_DENIED", "analyzer Analyze": "PERMISSION_DENIED", "decision engine Decide": "PERMISSION_DENIED" };
    // The internal services check no API keys (only the registry and the routers know them): a key is no credential there.
    const keyOnInternal = { "registry VerifyApiKey": "PERMISSION_DENIED", "executor Execute": "UNAUTHENTICATED", "analyzer Analyze": "UNAUTHENTICATED", "decision engine Decide": "UNAUTHENTICATED" };
    const expected: Record<string, Record<string, string>> = {
      none: refusedEverywhere("UNAUTHENTICATED"),
      garbage: refusedEverywhere("UNAUTHENTICATED"),
      "malformed API key": refusedEverywhere("UNAUTHENTICATED"),
      "wrong internal token": refusedEverywhere("UNAUTHENTICATED"),
      "revoked key": refusedEverywhere("UNAUTHENTICATED"),
      "viewer key": { "router Infer": "PERMISSION_DENIED", "registry ListModels": "allowed", "registry CreateApiKey": "PERMISSION_DENIED", ...keyOnInternal },
      "admin token": { "router Infer": "allowed", "registry ListModels": "allowed", "registry CreateApiKey": "allowed", ...internalOnly },
      "client key": { "router Infer": "allowed", "registry CreateApiKey": "PERMISSION_DENIED", ...keyOnInternal },
    };
    const actual: Record<string, Record<string, string>> = {};
    for (const [credential, headers] of Object.entries(credentials)) {
      actual[credential] = {};
      for (const call of Object.keys(expected[credential]!)) actual[credential][call] = verdict(await outcomeOf(calls[call]!(headers)));
    }
    expect(actual).toEqual(expected);
  });

  it("authenticates the router's Connect/JSON front door like its gRPC one", async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`http://${routerHttp}/modelrouter.router.v1.RouterService/Infer`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ payload: { image: { data: Buffer.from(image).toString("base64") } } }),
      });
    const refused = await post({});
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe("unauthenticated");
    const served = await post(bearer(keys.acme));
    expect(served.status).toBe(200);
    expect(((await served.json()) as { rule: string }).rule).toBe("acme");
  });

  it("logs a client's request under its key's tenant, and refuses a request naming another tenant", async () => {
    const answer = await infer(bearer(keys.acme));
    const admin = client(RegistryService, "registry", bearer(ADMIN_TOKEN));
    const end = Date.now() + 20_000;
    let tenant: string | undefined;
    while (tenant === undefined && Date.now() < end) {
      tenant = await admin.getDecision({ requestId: answer.requestId }).then(
        (r) => r.decision?.tenant,
        () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100)),
      );
    }
    expect(tenant).toBe("acme");
    expect(await outcomeOf(infer(bearer(keys.acme), "globex"))).toBe("PERMISSION_DENIED");
  });

  it("never writes a secret (the tokens or an API key) in any process's output", () => {
    const output = processes.map((p) => p.output.join("\n")).join("\n");
    for (const secret of [INTERNAL_TOKEN, ADMIN_TOKEN, keys.acme, keys.viewer, keys.revoked]) expect(output).not.toContain(secret);
    expect(output).toContain('"msg":"ready"');
  });
});

