import { beforeAll, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { exportSPKI, importJWK, SignJWT, type CryptoKey } from "jose";
import { AUDIENCE, ISSUER, signToken, signingKey, T0, unsignedToken, writeJwks, type SigningKey } from "./auth.test-support.js";
import { createJwtVerifier, type JwtSettings, type JwtVerifier } from "./jwt-verifier.js";

let rsa: SigningKey;
let ec: SigningKey;
let stranger: SigningKey;
let jwksFile: string;
let clockMs = T0 * 1000;

function settings(overrides: Partial<JwtSettings> = {}): JwtSettings {
  return { issuer: ISSUER, audience: AUDIENCE, jwksFile, now: () => clockMs, ...overrides };
}

beforeAll(async () => {
  rsa = await signingKey("RS256", "rsa-1");
  ec = await signingKey("ES256", "ec-1");
  stranger = await signingKey("RS256", "rsa-1");
  jwksFile = writeJwks([rsa.jwk, ec.jwk]);
}, 60_000);

describe("a JWT verifier", () => {
  let verify: JwtVerifier;
  beforeAll(async () => {
    verify = await createJwtVerifier(settings({ reloadCheckMs: Number.POSITIVE_INFINITY }));
  });

  it.each(["RS256", "ES256"] as const)("accepts a valid %s token: subject, tenant and roles from its claims", async (alg) => {
    const token = await signToken(alg === "RS256" ? rsa : ec, { sub: "bob", tenant: "acme", roles: ["viewer", "client"] });
    await expect(verify(token)).resolves.toEqual({ kind: "jwt", subject: "bob", tenant: "acme", roles: ["viewer", "client"] });
  });

  it("ignores role names it does not know, and takes a space-separated string of roles", async () => {
    await expect(verify(await signToken(rsa, { roles: ["superuser", "viewer", "internal"] }))).resolves.toMatchObject({ roles: ["viewer"] });
    await expect(verify(await signToken(rsa, { roles: "client policy-editor" }))).resolves.toMatchObject({ roles: ["client", "policy-editor"] });
  });

  it("accepts an admin of no tenant", async () => {
    await expect(verify(await signToken(rsa, { roles: ["admin"], tenant: undefined }))).resolves.toMatchObject({ tenant: "", roles: ["admin"] });
  });

  it("accepts a token expired or not yet valid by less than the clock skew", async () => {
    clockMs = (T0 + 3600 + 20) * 1000;
    await expect(verify(await signToken(rsa))).resolves.toMatchObject({ subject: "alice" });
    clockMs = (T0 - 20) * 1000;
    await expect(verify(await signToken(rsa))).resolves.toMatchObject({ subject: "alice" });
    clockMs = T0 * 1000;
  });

  const bad: [string, () => Promise<string>][] = [
    ["expired beyond the skew", async () => signToken(rsa, { exp: T0 - 31 })],
    ["not valid yet beyond the skew", async () => signToken(rsa, { nbf: T0 + 31 })],
    ["of another issuer", async () => signToken(rsa, { iss: "https://evil.example.com/" })],
    ["for another audience", async () => signToken(rsa, { aud: "someone-else" })],
    ["without an expiry", async () => signToken(rsa, { exp: undefined })],
    ["without a subject", async () => signToken(rsa, { sub: undefined })],
    ["with alg none", async () => unsignedToken()],
    [
      "HS256 with the public key as the shared secret",
      async () =>
        new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: "mallory", tenant: "acme", roles: ["admin"], iat: T0, exp: T0 + 3600 })
          .setProtectedHeader({ alg: "HS256", kid: "rsa-1" })
          .sign(new TextEncoder().encode(await exportSPKI((await importJWK(rsa.jwk, "RS256", { extractable: true })) as CryptoKey))),
    ],
    ["HS256 with the public JWK file as the shared secret", async () => new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: "m", roles: ["admin"], exp: T0 + 60 }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(readFileSync(jwksFile, "utf8")))],
    ["with an unknown kid", async () => signToken(rsa, {}, { kid: "rsa-9" })],
    ["signed by another key under a known kid", async () => signToken(stranger)],
    ["with no roles", async () => signToken(rsa, { roles: undefined })],
    ["with only unknown roles", async () => signToken(rsa, { roles: ["root", "internal"] })],
    ["with no tenant for a client", async () => signToken(rsa, { tenant: undefined })],
    ["with an invalid tenant", async () => signToken(rsa, { tenant: "acme corp/../x" })],
    ["with a tenant that is not a string", async () => signToken(rsa, { tenant: 42 })],
    ["that is not a JWT at all", async () => Promise.resolve("not-a-jwt")],
    ["with a tampered payload", async () => (await signToken(rsa)).replace(/\.[^.]+\./, `.${Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: "x", roles: ["admin"], exp: T0 + 60 })).toString("base64url")}.`)],
  ];

  it.each(bad)("refuses a token %s", async (_, token) => {
    await expect(verify(await token())).resolves.toBeUndefined();
  });

  it("refuses a token whose algorithm is not pinned", async () => {
    const rsaOnly = await createJwtVerifier(settings({ algorithms: ["RS256"] }));
    await expect(rsaOnly(await signToken(ec))).resolves.toBeUndefined();
    await expect(rsaOnly(await signToken(rsa))).resolves.toMatchObject({ subject: "alice" });
  });

  it("takes the tier from the tier claim, gives no tier without one, and refuses a tier claim that is not a tier", async () => {
    await expect(verify(await signToken(rsa, { tier: "premium" }))).resolves.toEqual({ kind: "jwt", subject: "alice", tenant: "acme", roles: ["client"], tier: "premium" });
    expect(await verify(await signToken(rsa))).not.toHaveProperty("tier");
    for (const tier of ["", "has space", 7, ["premium"], "x".repeat(64)]) {
      await expect(verify(await signToken(rsa, { tier }))).resolves.toBeUndefined();
    }
    const custom = await createJwtVerifier(settings({ tierClaim: "plan.tier" }));
    await expect(custom(await signToken(rsa, { plan: { tier: "free" } }))).resolves.toMatchObject({ tier: "free" });
  });

  it("reads the tenant and roles from the claims it is told, also by a dotted path", async () => {
    const custom = await createJwtVerifier(settings({ tenantClaim: "https://example.com/org", rolesClaim: "realm_access.roles" }));
    const token = await signToken(rsa, { tenant: undefined, roles: undefined, "https://example.com/org": "globex", realm_access: { roles: ["viewer"] } });
    await expect(custom(token)).resolves.toEqual({ kind: "jwt", subject: "alice", tenant: "globex", roles: ["viewer"] });
  });
});

describe("creating a JWT verifier", () => {
  it.each([[["HS256"]], [["RS256", "none"]], [[]]])("refuses the algorithms %j", async (algorithms) => {
    await expect(createJwtVerifier(settings({ algorithms: algorithms as never }))).rejects.toThrow(/not accepted/);
  });

  it("refuses a JWKS with a shared secret or a private key, or that is not a JWKS", async () => {
    await expect(createJwtVerifier(settings({ jwksFile: writeJwks([{ kty: "oct", k: "c2VjcmV0", kid: "h" }]) }))).rejects.toThrow(/shared secret/);
    await expect(createJwtVerifier(settings({ jwksFile: writeJwks([{ ...rsa.jwk, d: "x" }]) }))).rejects.toThrow(/private key/);
    await expect(createJwtVerifier(settings({ jwksFile: writeJwks("nope" as never) }))).rejects.toThrow(/"keys" array/);
    await expect(createJwtVerifier(settings({ jwksFile: "/nonexistent/jwks.json" }))).rejects.toThrow();
  });

  it("needs exactly one of a JWKS file and a JWKS URL", async () => {
    await expect(createJwtVerifier(settings({ jwksFile: "" }))).rejects.toThrow(/exactly one of a JWKS file and a JWKS URL/);
    await expect(createJwtVerifier(settings({ jwksUrl: "https://id.example.com/jwks.json" }))).rejects.toThrow(/exactly one/);
  });
});

describe("a JWKS file", () => {
  it("is reloaded when it changes, and a broken rewrite keeps the previous keys", async () => {
    const path = writeJwks([rsa.jwk]);
    let now = T0 * 1000;
    const verify = await createJwtVerifier(settings({ jwksFile: path, reloadCheckMs: 1000, now: () => now }));
    const ecToken = await signToken(ec);
    await expect(verify(ecToken)).resolves.toBeUndefined();

    writeJwks([rsa.jwk, ec.jwk], path);
    now += 1000;
    await expect(verify(ecToken)).resolves.toMatchObject({ subject: "alice" });

    writeJwks("broken" as never, path);
    now += 1000;
    await expect(verify(ecToken)).resolves.toMatchObject({ subject: "alice" });
  });
});
