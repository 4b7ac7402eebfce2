import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  AnalyzerService,
  DecisionService,
  ExecutorService,
  GRPCInferenceService,
  RegistryService,
  Role,
  RouterService,
  TunnelService,
} from "@modelrouter/contracts";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { loadDemoModels, loadSampleIndex } from "@modelrouter/model-zoo";
import { codeName, createGrpcChannel, createGrpcClient, isRpcError, type GrpcChannel, type ServiceClient } from "@modelrouter/rpc-kit";
import { appStarter, createProcessGroup, freePort, type RunningProcess } from "@modelrouter/testing";
import { eventually } from "./hostile/demo-system.js";

/**
 * Security figures of a five-process system with authentication on (auth.spec.ts has the first RPC × credential
 * table; this one widens it to every RPC of every service and the credentials an attacker would try): JWTs from a
 * JWKS file (the registry) and a JWKS URL (the router, under the egress policy), their tenant, roles and tier claims
 * through the router, and no secret or stack trace in any answer or log line.
 */

// Canary secrets: unique strings that must never appear in an answer or a log line.
const INTERNAL_TOKEN = "canary-internal-token-b61f27c04e";
const ADMIN_TOKEN = "canary-admin-token-7d3e90a15c";
const ISSUER = "https://id.e2e.example/";
const AUDIENCE = "modelrouter-e2e";
const MODEL = "digits-lite";

const AUTH = {
  MODELROUTER_AUTH: "on",
  // Everything the services would ever log goes into the scan for secrets.
  MODELROUTER_LOG_LEVEL: "debug",
  MODELROUTER_INTERNAL_TOKEN: "env:E2E_INTERNAL_TOKEN",
  E2E_INTERNAL_TOKEN: INTERNAL_TOKEN,
  MODELROUTER_ADMIN_TOKEN: "env:E2E_ADMIN_TOKEN",
  E2E_ADMIN_TOKEN: ADMIN_TOKEN,
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const STACK_TRACE = /\n\s+at [^\n]+:\d+:\d+|\bat (?:async )?[\w.<>]+ \((?:file:\/\/|\/)[^)]*:\d+:\d+\)/;

interface Outcome {
  readonly code: string;
  readonly text: string;
}

/** How a call ended, and everything it answered (message and details, or the response), for the scan. */
async function outcomeOf(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    const value = await call();
    return { code: "OK", text: JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? "" };
  } catch (error) {
    if (isRpcError(error)) return { code: codeName(error.code), text: `${error.message} ${error.reason ?? ""} ${JSON.stringify(error.violations)} ${JSON.stringify(error.metadata ?? {})}` };
    throw error;
  }
}

/** Calls any method of a client with an empty request, reading a stream to its first message. */
async function callEmpty(client: Record<string, (...args: unknown[]) => unknown>, method: DescMethod): Promise<unknown> {
  switch (method.methodKind) {
    case "unary":
      return client[method.localName]!({});
    case "server_streaming": {
      for await (const message of client[method.localName]!({}) as AsyncIterable<unknown>) return message;
      return undefined;
    }
    case "bidi_streaming":
    case "client_streaming": {
      async function* one() {
        yield {};
      }
      const answer = client[method.localName]!(one());
      if (Symbol.asyncIterator in (answer as object)) {
        for await (const message of answer as AsyncIterable<unknown>) return message;
        return undefined;
      }
      return answer;
    }
  }
}

/** An issuer: an RSA key, its JWKS, and tokens signed with it. */
interface Issuer {
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
}

async function issuer(kid: string): Promise<Issuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const now = Math.floor(Date.now() / 1000);
  return {
    privateKey,
    jwk,
    sign: (claims, header = {}) =>
      new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: "e2e-user", tenant: "acme", roles: ["client"], iat: now, exp: now + 3600, ...claims })
        .setProtectedHeader({ alg: "RS256", kid, ...header })
        .sign(privateKey),
  };
}

function unsigned(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: "none", typ: "JWT" })}.${part({ iss: ISSUER, aud: AUDIENCE, sub: "mallory", tenant: "acme", roles: ["admin"], exp: now + 3600, ...claims })}.`;
}

describe("security: every RPC of every service against hostile credentials, JWTs end to end, no secret in any output", () => {
  const group = createProcessGroup();
  const channels: GrpcChannel[] = [];
  const addresses: Record<"router" | "registry" | "analyzer" | "decision" | "executor", string> = { router: "", registry: "", analyzer: "", decision: "", executor: "" };
  const answers: Outcome[] = [];
  let dataDir: string;
  let processes: RunningProcess[];
  let image: Uint8Array;
  let jwksServer: Server;
  let jwksFetches = 0;
  let expiringAt = 0;
  let signer: Issuer;
  let stranger: Issuer;
  const keys: Record<"client" | "viewer" | "revoked" | "expiring" | "premium", string> = { client: "", viewer: "", revoked: "", expiring: "", premium: "" };
  const jwts: Record<string, string> = {};

  const client = <S extends DescService>(service: S, at: keyof typeof addresses, headers?: Record<string, string>): ServiceClient<S> => {
    const channel = createGrpcChannel(addresses[at]);
    channels.push(channel);
    return createGrpcClient(service, channel, { defaultTimeoutMs: 20_000, headers });
  };
  const record = async (call: () => Promise<unknown>): Promise<Outcome> => {
    const outcome = await outcomeOf(call);
    answers.push(outcome);
    return outcome;
  };
  const infer = (headers: Record<string, string>, extra: { tenant?: string; tier?: string } = {}) =>
    client(RouterService, "router", headers).infer({ payload: { kind: { case: "image", value: { data: image } } }, ...extra });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "modelrouter-security-"));
    image = await readFile(loadSampleIndex().find((s) => s.kind === "mnist")!.path);
    signer = await issuer("e2e-1");
    stranger = await issuer("e2e-1");
    const jwks = JSON.stringify({ keys: [signer.jwk] });
    const jwksFile = join(dataDir, "jwks.json");
    await writeFile(jwksFile, jwks);
    jwksServer = createServer((_request, response) => {
      jwksFetches += 1;
      response.writeHead(200, { "content-type": "application/json" }).end(jwks);
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
    const jwt = { MODELROUTER_JWT_ISSUER: ISSUER, MODELROUTER_JWT_AUDIENCE: AUDIENCE };

    const [registryAt, analyzerAt, decisionAt, routerAt, executorAt] = await Promise.all(Array.from({ length: 5 }, async () => `127.0.0.1:${await freePort()}`));
    Object.assign(addresses, { router: routerAt, registry: registryAt, analyzer: analyzerAt, decision: decisionAt, executor: executorAt });
    const start = appStarter(group);
    const registryProcess = await start("registry", "registry", {
      ...AUTH,
      ...jwt,
      MODELROUTER_JWT_JWKS_FILE: jwksFile,
      MODELROUTER_REGISTRY_LISTEN: registryAt!,
      MODELROUTER_REGISTRY_DATA_DIR: join(dataDir, "registry"),
    });
    const started = await Promise.all([
      start("analyzer", "analyzer", { ...AUTH, MODELROUTER_ANALYZER_LISTEN: analyzerAt! }),
      start("executor", "executor", { ...AUTH, MODELROUTER_EXECUTOR_LISTEN: executorAt!, MODELROUTER_REGISTRY_ADDRESS: registryAt!, MODELROUTER_EXECUTOR_WORKERS: "1" }),
      start("decision-engine", "decision-engine", { ...AUTH, MODELROUTER_DECISION_LISTEN: decisionAt!, MODELROUTER_REGISTRY_ADDRESS: registryAt! }),
    ]);
    const routerProcess = await start("router", "router", {
      ...AUTH,
      ...jwt,
      MODELROUTER_JWT_JWKS_URL: jwksUrl,
      MODELROUTER_EGRESS_ALLOW: "127.0.0.1/32",
      MODELROUTER_ROUTER_LISTEN: routerAt!,
      MODELROUTER_ANALYZER_ADDRESS: analyzerAt!,
      MODELROUTER_DECISION_ADDRESS: decisionAt!,
      MODELROUTER_REGISTRY_ADDRESS: registryAt!,
      MODELROUTER_EXECUTOR_ADDRESS: executorAt!,
    });
    processes = [registryProcess, ...started, routerProcess];

    const admin = client(RegistryService, "registry", bearer(ADMIN_TOKEN));
    await admin.registerModel({ model: loadDemoModels().find((m) => m.name === MODEL)! });
    const target = { kind: { case: "model" as const, value: { name: MODEL } } };
    await admin.applyPolicy({
      policy: {
        name: "by-tier",
        rules: [
          { name: "premium", when: 'request.tier == "premium"', route: { targets: [target] } },
          { name: "acme", when: 'request.tenant == "acme"', route: { targets: [target] } },
        ],
        defaultRoute: { targets: [target] },
      },
    });
    const createKey = async (role: Role, extra: { tier?: string; expireMs?: number } = {}) =>
      (
        await admin.createApiKey({
          key: { tenant: "acme", roles: [role], tier: extra.tier ?? "", ...(extra.expireMs === undefined ? {} : { expireTime: timestampFromMs(extra.expireMs) }) },
        })
      ).secret;
    keys.client = await createKey(Role.CLIENT);
    keys.viewer = await createKey(Role.VIEWER);
    keys.premium = await createKey(Role.CLIENT, { tier: "premium" });
    keys.revoked = await createKey(Role.CLIENT);
    expiringAt = Date.now() + 2_000;
    keys.expiring = await createKey(Role.ADMIN, { expireMs: expiringAt });
    await admin.revokeApiKey({ id: /^mrk_([0-9a-f]+)_/.exec(keys.revoked)![1]! });

    const now = Math.floor(Date.now() / 1000);
    jwts["client"] = await signer.sign({});
    jwts["premium"] = await signer.sign({ sub: "e2e-premium", tier: "premium" });
    jwts["viewer"] = await signer.sign({ roles: ["viewer"] });
    jwts["expired"] = await signer.sign({ roles: ["admin"], iat: now - 7200, exp: now - 3600 });
    jwts["wrong audience"] = await signer.sign({ roles: ["admin"], aud: "another-service" });
    jwts["wrong issuer"] = await signer.sign({ roles: ["admin"], iss: "https://evil.example/" });
    jwts["wrong key"] = await stranger.sign({ roles: ["admin"] });
    jwts["alg none"] = unsigned({});

    await eventually(() => infer(bearer(keys.client)), 600);
  }, 180_000);

  afterAll(async () => {
    for (const c of channels) c.close();
    await group.stopAll("SIGTERM", 20_000).catch(() => undefined);
    await new Promise<void>((resolve) => (jwksServer === undefined ? resolve() : jwksServer.close(() => resolve())));
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("refuses every hostile credential on every RPC of every service: 100 % UNAUTHENTICATED or PERMISSION_DENIED", async () => {
    // The admin key made to expire is past its expiry (never used before it).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiringAt + 200 - Date.now())));
    const hostile: Record<string, Record<string, string>> = {
      none: {},
      malformed: { authorization: "Basic dXNlcjpwYXNz" },
      "unknown key": bearer(`mrk_0123456789ab_${"A".repeat(43)}`),
      "revoked key": bearer(keys.revoked),
      "expired key": bearer(keys.expiring),
      "expired JWT": bearer(jwts["expired"]!),
      "JWT for another audience": bearer(jwts["wrong audience"]!),
      "JWT of another issuer": bearer(jwts["wrong issuer"]!),
      "JWT signed by another key": bearer(jwts["wrong key"]!),
      "JWT with alg none": bearer(jwts["alg none"]!),
      "wrong internal token": { "x-modelrouter-service": "router", "x-modelrouter-service-token": "not-the-internal-token" },
    };
    const services: [DescService, keyof typeof addresses][] = [
      [RouterService, "router"],
      [RegistryService, "registry"],
      [AnalyzerService, "analyzer"],
      [DecisionService, "decision"],
      [ExecutorService, "executor"],
      [GRPCInferenceService, "executor"],
      ...(["router", "registry", "analyzer", "decision", "executor"] as const).map((at): [DescService, keyof typeof addresses] => [TunnelService, at]),
    ];
    // Valid credentials whose role the method does not allow: a viewer's, except for what viewers may read (a
    // client's); on the methods only modelrouter's services may call, the admin token too.
    const viewerReads = /^(get|list|watch)/;
    const internalOnly = (service: DescService, method: DescMethod): boolean =>
      ([AnalyzerService, DecisionService, ExecutorService, TunnelService] as DescService[]).includes(service) ||
      (service === RegistryService && ["recordDecision", "recordFeedback", "recordModelStats", "verifyApiKey"].includes(method.localName));
    const notAllowed = (service: DescService, method: DescMethod): Record<string, Record<string, string>> => {
      const role = service === RegistryService && viewerReads.test(method.localName) && !["listApiKeys", "listAuditEvents"].includes(method.localName) ? "client" : "viewer";
      return {
        [`valid ${role} key`]: bearer(keys[role]),
        [`valid ${role} JWT`]: bearer(jwts[role]!),
        ...(internalOnly(service, method) ? { "valid admin token": bearer(ADMIN_TOKEN) } : {}),
      };
    };
    const table: Record<string, Record<string, string>> = {};
    let cells = 0;
    let refused = 0;
    for (const [service, at] of services) {
      for (const method of service.methods) {
        const row = `${at} ${service.name}.${method.name}`;
        table[row] = {};
        const credentials: Record<string, Record<string, string>> = { ...hostile, ...notAllowed(service, method) };
        for (const [name, headers] of Object.entries(credentials)) {
          const c = client(service, at, headers) as unknown as Record<string, (...args: unknown[]) => unknown>;
          const outcome = await record(() => callEmpty(c, method) as Promise<unknown>);
          cells += 1;
          if (outcome.code === "UNAUTHENTICATED" || outcome.code === "PERMISSION_DENIED") refused += 1;
          else table[row][name] = outcome.code;
        }
        if (Object.keys(table[row]).length === 0) delete table[row];
      }
    }
    const rpcs = services.reduce((n, [service]) => n + service.methods.length, 0);
    process.stdout.write(`security: ${refused} of ${cells} calls with a hostile or disallowed credential refused (${rpcs} RPCs of ${services.length} service endpoints)\n`);
    expect(table).toEqual({});
    expect(refused).toBe(cells);
  });

  it("serves JWTs through the router (keys from the JWKS URL, fetched once) and the registry (keys from the JWKS file)", async () => {
    const answer = await infer(bearer(jwts["client"]!));
    expect(answer.model?.name).toBe(MODEL);
    expect(answer.rule).toBe("acme");
    expect(jwksFetches).toBe(1);
    const viewer = client(RegistryService, "registry", bearer(jwts["viewer"]!));
    expect((await viewer.listModels({})).models.map((m) => m.name)).toContain(MODEL);
    expect((await record(() => client(RegistryService, "registry", bearer(jwts["viewer"]!)).createApiKey({}))).code).toBe("PERMISSION_DENIED");
  });

  it("takes the tenant and the tier from the credential (API key or JWT), and refuses another one naming the field", async () => {
    const admin = client(RegistryService, "registry", bearer(ADMIN_TOKEN));
    const logged = async (requestId: string) => {
      const end = Date.now() + 20_000;
      for (;;) {
        try {
          return (await admin.getDecision({ requestId })).decision!;
        } catch (error) {
          if (Date.now() > end) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    for (const credential of [keys.premium, jwts["premium"]!]) {
      const answer = await infer(bearer(credential));
      expect(answer.rule).toBe("premium");
      const decision = await logged(answer.requestId);
      expect(decision.tenant).toBe("acme");
      expect(decision.request?.tier).toBe("premium");
      const otherTier = await record(() => infer(bearer(credential), { tier: "free" }));
      expect(otherTier.code).toBe("PERMISSION_DENIED");
      expect(otherTier.text).toContain("tier");
      expect((await record(() => infer(bearer(credential), { tenant: "globex" }))).code).toBe("PERMISSION_DENIED");
    }
  });

  it("writes no secret and no stack trace in any answer or any process's output", () => {
    const secrets = [INTERNAL_TOKEN, ADMIN_TOKEN, ...Object.values(keys), ...Object.values(jwts)];
    // A key's secret part alone (it may hold '_' itself), as a log might cut it from the key.
    const secretParts = Object.values(keys).map((key) => key.replace(/^mrk_[0-9a-f]+_/, ""));
    expect(secretParts.every((part) => part.length >= 32)).toBe(true);
    const lines = processes.flatMap((p) => p.output);
    const output = lines.join("\n");
    expect(output).toContain('"msg":"ready"');
    expect(answers.length).toBeGreaterThan(100);
    // The scan can fail: it knows a stack trace and a key when it sees one.
    expect(STACK_TRACE.test(new Error("probe").stack!)).toBe(true);
    expect(`denied ${keys.client}`.includes(keys.client)).toBe(true);
    const scanned = [...lines.map((line, i) => [`log line ${i}`, line] as const), ...answers.map((a, i) => [`answer ${i} (${a.code})`, a.text] as const)];
    for (const [where, text] of scanned) {
      for (const [n, secret] of [...secrets, ...secretParts].entries()) {
        if (text.includes(secret)) throw new Error(`${where} holds secret #${n}: ${text.slice(0, 300)}`);
      }
      if (STACK_TRACE.test(text)) throw new Error(`${where} holds a stack trace: ${text.slice(0, 300)}`);
    }
    // A stack trace spans lines: the processes' output read as one text holds none either.
    expect(STACK_TRACE.test(output)).toBe(false);
    process.stdout.write(`security: 0 secrets and 0 stack traces in ${answers.length} answers and ${lines.length} log lines of ${processes.length} processes\n`);
  });
});
