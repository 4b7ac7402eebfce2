import { beforeAll, describe, expect, it } from "@jest/globals";
import { Role } from "@modelrouter/contracts";
import { ANONYMOUS_ADMIN, Code, RpcError, type Authenticator, type CallerIdentity } from "@modelrouter/rpc-kit";
import { AUDIENCE, ISSUER, KeyStore, signToken, signingKey, T0, unsignedToken, writeJwks, type SigningKey } from "./auth.test-support.js";
import { ANONYMOUS, createAuthenticator } from "./authenticator.js";
import { internalHeaders } from "./internal-credential.js";
import { createJwtVerifier } from "./jwt-verifier.js";
import { PERMISSION_TABLE } from "./permissions.js";

const NOW_MS = T0 * 1000;
const INTERNAL_TOKEN = "internal-6f1c0b2e9d8a4f3b";
const ADMIN_TOKEN = "admin-bootstrap-2b7d9e4c1a";

const INFER = "/modelrouter.router.v1.RouterService/Infer";
const REGISTER = "/modelrouter.registry.v1.RegistryService/RegisterModel";
const GET_MODEL = "/modelrouter.registry.v1.RegistryService/GetModel";
const RECORD = "/modelrouter.registry.v1.RegistryService/RecordDecision";
const DECIDE = "/modelrouter.decision.v1.DecisionService/Decide";
const HEALTH = "/grpc.health.v1.Health/Check";

const store = new KeyStore(() => NOW_MS);
let rsa: SigningKey;
let other: SigningKey;
let authenticate: Authenticator;

function call(method: string, headers: Readonly<Record<string, string>> = {}): Promise<CallerIdentity> {
  return authenticate({ method, header: (key) => headers[key] });
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RpcError) return error;
    throw error;
  }
  throw new Error("the call was allowed");
}

beforeAll(async () => {
  rsa = await signingKey("RS256", "rsa-1");
  other = await signingKey("RS256", "rsa-2");
  const verifyJwt = await createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksFile: writeJwks([rsa.jwk]), now: () => NOW_MS });
  authenticate = createAuthenticator({ mode: "on", internalToken: INTERNAL_TOKEN, adminToken: ADMIN_TOKEN, verifyApiKey: store.verify, verifyJwt, now: () => NOW_MS });
}, 60_000);

describe("the authenticator, with authentication on", () => {
  const methods = [INFER, REGISTER, GET_MODEL, RECORD, DECIDE, "/modelrouter.executor.v1.ExecutorService/Execute", "/inference.GRPCInferenceService/ModelInfer", "/modelrouter.rpc.v1.TunnelService/Open", "/modelrouter.registry.v1.RegistryService/Nope"];

  const badCredentials: [string, () => Promise<Record<string, string>>][] = [
    ["no authorization header", async () => ({})],
    ["an empty authorization header", async () => ({ authorization: "" })],
    ['"Bearer" alone', async () => ({ authorization: "Bearer" })],
    ["Basic credentials", async () => ({ authorization: `Basic ${Buffer.from("admin:hunter2hunter2").toString("base64")}` })],
    ["a bare token without Bearer", async () => ({ authorization: ADMIN_TOKEN })],
    ["a malformed API key", async () => bearer("mrk_0123456789ab_tooshort")],
    ["an API key with a wrong secret", async () => bearer(`${store.create("acme", [Role.ADMIN]).token.slice(0, -4)}AAAA`)],
    ["a well-formed unknown API key", async () => bearer(`mrk_0123456789ab_${"Q".repeat(43)}`)],
    [
      "a revoked API key",
      async () => {
        const key = store.create("acme", [Role.ADMIN]);
        store.revoke(key.id);
        return bearer(key.token);
      },
    ],
    ["an expired API key", async () => bearer(store.create("acme", [Role.ADMIN], NOW_MS - 1).token)],
    ["a wrong admin token", async () => bearer(`${ADMIN_TOKEN}x`)],
    ["a wrong internal token", async () => internalHeaders("router", `${INTERNAL_TOKEN}x`)],
    ["a service name without the internal token", async () => ({ "x-modelrouter-service": "router", ...bearer(ADMIN_TOKEN) })],
    ["the internal token without a service name", async () => ({ "x-modelrouter-service-token": INTERNAL_TOKEN })],
    ["an invalid service name", async () => ({ "x-modelrouter-service": "Router Service", "x-modelrouter-service-token": INTERNAL_TOKEN })],
    ["an expired JWT", async () => bearer(await signToken(rsa, { roles: ["admin"], exp: T0 - 60, nbf: T0 - 120, iat: T0 - 120 }))],
    ["a JWT of another issuer", async () => bearer(await signToken(rsa, { roles: ["admin"], iss: "https://evil.example.com/" }))],
    ["a JWT for another audience", async () => bearer(await signToken(rsa, { roles: ["admin"], aud: "other" }))],
    ["a JWT with alg none", async () => bearer(unsignedToken())],
    ["a JWT with an unknown kid", async () => bearer(await signToken(other, { roles: ["admin"] }))],
    ["a JWT with no roles", async () => bearer(await signToken(rsa, { roles: [] }))],
    ["a JWT of a client with no tenant", async () => bearer(await signToken(rsa, { tenant: undefined }))],
  ];

  const table = badCredentials.flatMap(([name, headers]) => methods.map((method) => [name, method, headers] as const));

  it.each(table)("refuses %s on %s as UNAUTHENTICATED, without repeating the credential", async (_, method, headers) => {
    const sent = await headers();
    const error = await rejection(call(method, sent));
    expect(error.code).toBe(Code.UNAUTHENTICATED);
    expect(error.reason).toBe("UNAUTHENTICATED");
    expect(error.message).toMatch(/authorization: Bearer|x-modelrouter-service/);
    for (const value of Object.values(sent)) {
      const secret = value.replace(/^(Bearer|Basic) ?/i, "");
      for (let start = 0; start + 8 <= secret.length; start++) expect(error.message).not.toContain(secret.slice(start, start + 8));
    }
  });

  it("never calls the key store for a malformed key", async () => {
    const before = store.calls;
    await rejection(call(INFER, bearer("mrk_zz")));
    expect(store.calls).toBe(before);
  });

  it.each([HEALTH, "/grpc.health.v1.Health/Watch", "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"])(
    "lets %s through without a credential, as an anonymous caller of no role",
    async (method) => {
      await expect(call(method)).resolves.toEqual(ANONYMOUS);
      expect(ANONYMOUS.roles).toEqual([]);
    },
  );

  it("knows an API key's caller: key:<id>, its tenant and its roles", async () => {
    const key = store.create("acme", [Role.CLIENT, Role.VIEWER]);
    await expect(call(INFER, bearer(key.token))).resolves.toEqual({ kind: "api-key", subject: `key:${key.id}`, tenant: "acme", roles: ["client", "viewer"] });
  });

  it("gives an API key's caller the key's tier, and none for a key without one", async () => {
    const premium = store.create("acme", [Role.CLIENT], undefined, "premium");
    await expect(call(INFER, bearer(premium.token))).resolves.toEqual({ kind: "api-key", subject: `key:${premium.id}`, tenant: "acme", roles: ["client"], tier: "premium" });
    expect(await call(INFER, bearer(store.create("acme", [Role.CLIENT]).token))).not.toHaveProperty("tier");
  });

  it("answers UNAVAILABLE (CREDENTIAL_UNVERIFIABLE), not UNAUTHENTICATED, when a JWT's keys cannot be fetched", async () => {
    const unreachable = await createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: "https://id.example.com/jwks.json", jwksFetch: () => Promise.reject(new Error("ECONNREFUSED")), now: () => NOW_MS });
    const withUrl = createAuthenticator({ mode: "on", internalToken: INTERNAL_TOKEN, verifyJwt: unreachable });
    const error = await rejection(withUrl({ method: INFER, header: (name) => bearer("eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIn0.eyJzdWIiOiJhIn0.c2ln")[name] }));
    expect(error.code).toBe(Code.UNAVAILABLE);
    expect(error.reason).toBe("CREDENTIAL_UNVERIFIABLE");
    expect(error.message).toMatch(/the issuer's keys cannot be fetched/);
  });

  it("refuses a key the verifier returns revoked or expired, even if it did not check", async () => {
    const lenient = createAuthenticator({ mode: "on", internalToken: INTERNAL_TOKEN, verifyApiKey: store.verifyLeniently, now: () => NOW_MS });
    const revoked = store.create("acme", [Role.ADMIN]);
    store.revoke(revoked.id);
    const expired = store.create("acme", [Role.ADMIN], NOW_MS);
    for (const key of [revoked, expired]) {
      const error = await rejection(lenient({ method: INFER, header: (name) => bearer(key.token)[name] }));
      expect(error.code).toBe(Code.UNAUTHENTICATED);
    }
  });

  it("knows the admin token's caller, an admin of no tenant", async () => {
    await expect(call(REGISTER, bearer(ADMIN_TOKEN))).resolves.toMatchObject({ subject: "admin-token", tenant: "", roles: ["admin"] });
  });

  it("knows another service by the internal token", async () => {
    await expect(call(DECIDE, internalHeaders("router", INTERNAL_TOKEN))).resolves.toEqual({ kind: "internal", subject: "internal:router", tenant: "", roles: ["internal"] });
  });

  it("knows a JWT's caller", async () => {
    await expect(call(INFER, bearer(await signToken(rsa, { sub: "carol", tenant: "globex" })))).resolves.toEqual({ kind: "jwt", subject: "carol", tenant: "globex", roles: ["client"] });
  });

  it("answers UNAVAILABLE, not UNAUTHENTICATED, when the registry cannot check a key", async () => {
    const down = createAuthenticator({ mode: "on", internalToken: INTERNAL_TOKEN, verifyApiKey: () => Promise.reject(new RpcError({ code: Code.UNAVAILABLE, message: "connect ECONNREFUSED" })) });
    const error = await rejection(down({ method: INFER, header: (name) => bearer(`mrk_0123456789ab_${"Q".repeat(43)}`)[name] }));
    expect(error.code).toBe(Code.UNAVAILABLE);
    expect(error.reason).toBe("CREDENTIAL_UNVERIFIABLE");
  });

  it("takes the registry's UNAUTHENTICATED answer as an unknown key", async () => {
    const registry = createAuthenticator({ mode: "on", internalToken: INTERNAL_TOKEN, verifyApiKey: () => Promise.reject(new RpcError({ code: Code.UNAUTHENTICATED, message: "unknown key" })) });
    const error = await rejection(registry({ method: INFER, header: (name) => bearer(`mrk_0123456789ab_${"Q".repeat(43)}`)[name] }));
    expect(error.code).toBe(Code.UNAUTHENTICATED);
  });

  it("refuses API keys and JWTs when it has no verifier for them", async () => {
    const bare = createAuthenticator({ mode: "on", internalToken: INTERNAL_TOKEN });
    for (const token of [store.create("acme", [Role.ADMIN]).token, await signToken(rsa, { roles: ["admin"] })]) {
      expect((await rejection(bare({ method: GET_MODEL, header: (name) => bearer(token)[name] }))).code).toBe(Code.UNAUTHENTICATED);
    }
  });

  it("cannot be created with an empty internal token", () => {
    expect(() => createAuthenticator({ mode: "on", internalToken: "" })).toThrow(/internal token/);
  });

  it("cannot be created with an admin token that looks like an API key", () => {
    expect(() => createAuthenticator({ mode: "on", internalToken: INTERNAL_TOKEN, adminToken: "mrk_admin" })).toThrow(/must not start with mrk_/);
  });
});

/** The reference model of who may call what, written from the roles' definitions rather than from the table. */
function expectedAllowed(role: string, path: string): boolean {
  const [, service = "", method = ""] = /^\/([^/]+)\/(.+)$/.exec(path) ?? [];
  const internalOnly =
    /(DecisionService|AnalyzerService|ExecutorService|TunnelService)$/.test(service) || ["RecordDecision", "RecordFeedback", "RecordModelStats", "VerifyApiKey"].includes(method);
  const keysOrAudit = ["CreateApiKey", "ListApiKeys", "RevokeApiKey", "ListAuditEvents"].includes(method);
  const inference = service.endsWith("RouterService") || service === "inference.GRPCInferenceService";
  const registryRead = service.endsWith("RegistryService") && /^(Get|List|Watch)/.test(method) && !keysOrAudit;
  const policyWrite = ["ApplyPolicy", "DeletePolicy", "EvaluatePolicy"].includes(method);
  switch (role) {
    case "admin":
      return !internalOnly;
    case "client":
      return inference;
    case "viewer":
      return registryRead;
    case "policy-editor":
      return registryRead || policyWrite;
    default:
      return internalOnly || registryRead;
  }
}

describe("the authenticator's authorization", () => {
  const keys: Record<string, Role> = { admin: Role.ADMIN, "policy-editor": Role.POLICY_EDITOR, client: Role.CLIENT, viewer: Role.VIEWER };
  const paths = [...PERMISSION_TABLE].filter(([, permission]) => permission !== "public").map(([path]) => path);
  const roles = [...Object.keys(keys), "internal"];
  const cases = roles.flatMap((role) => paths.map((path) => [role, path, expectedAllowed(role, path)] as const));

  it.each(cases)("%s calling %s is allowed: %s", async (role, path, allowed) => {
    const headers = role === "internal" ? internalHeaders("decision-engine", INTERNAL_TOKEN) : bearer(store.create("acme", [keys[role] as Role]).token);
    if (allowed) {
      await expect(call(path, headers)).resolves.toMatchObject({ roles: [role] });
    } else {
      const error = await rejection(call(path, headers));
      expect(error.code).toBe(Code.PERMISSION_DENIED);
      expect(error.message).toContain(path);
      expect(error.message).toMatch(/needs (one of the roles|the internal service credential)/);
    }
  });

  it("names the roles a method needs and the caller's", async () => {
    const error = await rejection(call(REGISTER, bearer(store.create("acme", [Role.VIEWER]).token)));
    expect(error.message).toBe(`${REGISTER} needs one of the roles admin; the caller has the roles viewer`);
  });

  it("refuses an unknown method to everyone, admin included", async () => {
    const error = await rejection(call("/modelrouter.registry.v1.RegistryService/DropAll", bearer(ADMIN_TOKEN)));
    expect(error.code).toBe(Code.PERMISSION_DENIED);
  });
});

describe("the authenticator, with authentication off", () => {
  const off = createAuthenticator({ mode: "off" });

  it.each([INFER, REGISTER, RECORD, DECIDE, HEALTH])("makes every call to %s an anonymous admin, credentials or not", async (method) => {
    await expect(off({ method, header: () => undefined })).resolves.toBe(ANONYMOUS_ADMIN);
    await expect(off({ method, header: (name) => bearer("garbage")[name] })).resolves.toBe(ANONYMOUS_ADMIN);
  });
});
