import { describe, expect, it } from "@jest/globals";
import { ConfigError, EnvReader } from "@modelrouter/config";
import { readAuthConfig, readAuthSecrets, type AuthConfig } from "./auth-config.js";

function read(vars: Record<string, string>): AuthConfig {
  const env = new EnvReader(vars);
  const config = readAuthConfig(env);
  env.done();
  return config;
}

function problems(vars: Record<string, string>): string[] {
  try {
    read(vars);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("no problem reported");
}

const JWT = { MODELROUTER_JWT_ISSUER: "https://id.example.com/", MODELROUTER_JWT_AUDIENCE: "modelrouter", MODELROUTER_JWT_JWKS_FILE: "/etc/modelrouter/jwks.json" };

describe("the authentication settings", () => {
  it("are off by default, with no JWTs and a 30 s key cache", () => {
    expect(read({})).toEqual({ mode: "off", internalToken: undefined, adminToken: undefined, jwt: undefined, apiKeyCacheTtlMs: 30_000 });
  });

  it("read credential references, the JWT settings and the cache TTL", () => {
    const config = read({
      MODELROUTER_AUTH: "on",
      MODELROUTER_INTERNAL_TOKEN: "file:/run/secrets/internal",
      MODELROUTER_ADMIN_TOKEN: "env:ADMIN_TOKEN",
      ...JWT,
      MODELROUTER_JWT_ALGORITHMS: "ES256,EdDSA",
      MODELROUTER_JWT_CLOCK_SKEW: "10s",
      MODELROUTER_JWT_TENANT_CLAIM: "https://example.com/org",
      MODELROUTER_JWT_ROLES_CLAIM: "realm_access.roles",
      MODELROUTER_API_KEY_CACHE_TTL: "1m",
    });
    expect(config).toEqual({
      mode: "on",
      internalToken: { kind: "file", path: "/run/secrets/internal" },
      adminToken: { kind: "env", name: "ADMIN_TOKEN" },
      jwt: {
        issuer: "https://id.example.com/",
        audience: "modelrouter",
        jwksFile: "/etc/modelrouter/jwks.json",
        algorithms: ["ES256", "EdDSA"],
        clockSkewMs: 10_000,
        tenantClaim: "https://example.com/org",
        rolesClaim: "realm_access.roles",
        tierClaim: "tier",
      },
      apiKeyCacheTtlMs: 60_000,
    });
  });

  it("read a JWKS URL with the egress policy it is fetched under, and the tier claim", () => {
    const { MODELROUTER_JWT_JWKS_FILE: _file, ...jwt } = JWT;
    const config = read({
      ...jwt,
      MODELROUTER_JWT_JWKS_URL: "http://127.0.0.1:8080/jwks.json",
      MODELROUTER_EGRESS_ALLOW: "127.0.0.1/32",
      MODELROUTER_JWT_TIER_CLAIM: "plan",
    });
    expect(config.jwt).toMatchObject({ jwksUrl: "http://127.0.0.1:8080/jwks.json", tierClaim: "plan", egress: { schemes: expect.arrayContaining(["https"]) } });
    expect(config.jwt?.jwksFile).toBeUndefined();
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ["an unknown mode", { MODELROUTER_AUTH: "strict" }, /^MODELROUTER_AUTH="strict": expected one of off, on/],
    ["auth on without an internal token", { MODELROUTER_AUTH: "on" }, /^MODELROUTER_INTERNAL_TOKEN is required when MODELROUTER_AUTH=on: give env:NAME or file:\/path/],
    ["a token given as the secret itself", { MODELROUTER_INTERNAL_TOKEN: "s3cr3t-value" }, /^MODELROUTER_INTERNAL_TOKEN is not a credential reference/],
    ["a relative admin token file", { MODELROUTER_ADMIN_TOKEN: "file:admin" }, /^MODELROUTER_ADMIN_TOKEN is file: without an absolute path/],
    ["an issuer alone", { MODELROUTER_JWT_ISSUER: "https://id.example.com/" }, /need MODELROUTER_JWT_ISSUER, MODELROUTER_JWT_AUDIENCE and MODELROUTER_JWT_JWKS_FILE or MODELROUTER_JWT_JWKS_URL together/],
    ["a relative JWKS file", { ...JWT, MODELROUTER_JWT_JWKS_FILE: "jwks.json" }, /^MODELROUTER_JWT_JWKS_FILE="jwks.json": give the absolute path/],
    ["HS256", { ...JWT, MODELROUTER_JWT_ALGORITHMS: "RS256,HS256" }, /^MODELROUTER_JWT_ALGORITHMS=.*unknown HS256; expected a comma-separated list of RS256/],
    ["alg none", { ...JWT, MODELROUTER_JWT_ALGORITHMS: "none" }, /^MODELROUTER_JWT_ALGORITHMS=.*unknown none/],
    ["a clock skew that is not a duration", { MODELROUTER_JWT_CLOCK_SKEW: "soon" }, /^MODELROUTER_JWT_CLOCK_SKEW="soon": expected a duration/],
    ["a clock skew over 5 minutes", { MODELROUTER_JWT_CLOCK_SKEW: "1h" }, /^MODELROUTER_JWT_CLOCK_SKEW: 3600000 ms is too long; expected at most 5m/],
    ["a claim name with spaces", { MODELROUTER_JWT_ROLES_CLAIM: "my roles" }, /^MODELROUTER_JWT_ROLES_CLAIM="my roles": give a claim name/],
    ["a JWKS file and a JWKS URL", { ...JWT, MODELROUTER_JWT_JWKS_URL: "https://id.example.com/jwks.json" }, /^MODELROUTER_JWT_JWKS_FILE and MODELROUTER_JWT_JWKS_URL are both set: give the issuer's keys one way/],
    [
      "a JWKS URL the egress policy refuses",
      { MODELROUTER_JWT_ISSUER: "https://id.example.com/", MODELROUTER_JWT_AUDIENCE: "modelrouter", MODELROUTER_JWT_JWKS_URL: "http://127.0.0.1:8080/jwks.json" },
      /^MODELROUTER_JWT_JWKS_URL="http:\/\/127.0.0.1:8080\/jwks.json" .*(loopback|refused).*allow its host with MODELROUTER_EGRESS_ALLOW/,
    ],
    ["a JWKS URL of another scheme", { MODELROUTER_JWT_ISSUER: "https://id.example.com/", MODELROUTER_JWT_AUDIENCE: "modelrouter", MODELROUTER_JWT_JWKS_URL: "grpc://id.example.com:443" }, /^MODELROUTER_JWT_JWKS_URL=.* has scheme grpc: a JSON Web Key Set is fetched over https/],
    ["a tier claim with spaces", { MODELROUTER_JWT_TIER_CLAIM: "my tier" }, /^MODELROUTER_JWT_TIER_CLAIM="my tier": give a claim name/],
    ["a cache TTL that is not a duration", { MODELROUTER_API_KEY_CACHE_TTL: "forever" }, /^MODELROUTER_API_KEY_CACHE_TTL="forever": expected a duration/],
  ];

  it.each(bad)("report %s, naming the setting and the fix", (_, vars, problem) => {
    const found = problems(vars);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(problem);
  });

  it("never repeat a secret given where a reference belongs", () => {
    const found = problems({ MODELROUTER_INTERNAL_TOKEN: "s3cr3t-value", MODELROUTER_ADMIN_TOKEN: "another-s3cr3t" });
    expect(found.join("\n")).not.toMatch(/s3cr3t/);
  });
});

describe("the authentication secrets", () => {
  it("are read from the referenced variables and files, redacted", async () => {
    const config = read({ MODELROUTER_AUTH: "on", MODELROUTER_INTERNAL_TOKEN: "env:INTERNAL", MODELROUTER_ADMIN_TOKEN: "file:/run/admin" });
    const secrets = await readAuthSecrets(config, { env: { INTERNAL: " internal-token \n" }, readFile: (path) => Promise.resolve(path === "/run/admin" ? "admin-token\n" : "") });
    expect(secrets.internalToken?.reveal()).toBe("internal-token");
    expect(secrets.adminToken?.reveal()).toBe("admin-token");
    expect(JSON.stringify(secrets)).not.toMatch(/internal-token|admin-token/);
  });

  it("fail naming the reference when a variable is unset", async () => {
    const config = read({ MODELROUTER_AUTH: "on", MODELROUTER_INTERNAL_TOKEN: "env:MISSING" });
    await expect(readAuthSecrets(config, { env: {}, readFile: () => Promise.reject(new Error("unused")) })).rejects.toThrow(/env:MISSING/);
  });
});
