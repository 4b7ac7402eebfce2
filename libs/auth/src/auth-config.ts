import type { EnvReader } from "@modelrouter/config";
import { type CredentialRef, type CredentialSources, parseCredentialRef, readCredential, type Redacted } from "@modelrouter/egress";
import { DEFAULT_JWT_ALGORITHMS, JWT_ALGORITHMS, type JwtAlgorithm, type JwtSettings } from "./jwt-verifier.js";

/** The settings {@link readAuthConfig} reads. */
export const AUTH_SETTINGS = {
  mode: "MODELROUTER_AUTH",
  internalToken: "MODELROUTER_INTERNAL_TOKEN",
  adminToken: "MODELROUTER_ADMIN_TOKEN",
  jwtIssuer: "MODELROUTER_JWT_ISSUER",
  jwtAudience: "MODELROUTER_JWT_AUDIENCE",
  jwtJwksFile: "MODELROUTER_JWT_JWKS_FILE",
  jwtAlgorithms: "MODELROUTER_JWT_ALGORITHMS",
  jwtClockSkew: "MODELROUTER_JWT_CLOCK_SKEW",
  jwtTenantClaim: "MODELROUTER_JWT_TENANT_CLAIM",
  jwtRolesClaim: "MODELROUTER_JWT_ROLES_CLAIM",
  apiKeyCacheTtl: "MODELROUTER_API_KEY_CACHE_TTL",
} as const;

/** Authentication settings, as read (credentials are references, read later by {@link readAuthSecrets}). */
export interface AuthConfig {
  /** `MODELROUTER_AUTH`: `off` (default: every call is an anonymous admin; the demo) or `on`. */
  readonly mode: "off" | "on";
  /** `MODELROUTER_INTERNAL_TOKEN` (`env:NAME` or `file:/path`): the services' shared secret; required when on. */
  readonly internalToken: CredentialRef | undefined;
  /** `MODELROUTER_ADMIN_TOKEN` (`env:NAME` or `file:/path`): a static admin credential for bootstrapping; optional. */
  readonly adminToken: CredentialRef | undefined;
  /** The JWT settings, when `MODELROUTER_JWT_ISSUER`, `_AUDIENCE` and `_JWKS_FILE` are set (all three or none). */
  readonly jwt: JwtSettings | undefined;
  /** `MODELROUTER_API_KEY_CACHE_TTL`, default 30 s (0: no cache): how long a router reuses an API key's check. */
  readonly apiKeyCacheTtlMs: number;
}

/** The credentials an {@link AuthConfig} refers to, read. */
export interface AuthSecrets {
  readonly internalToken: Redacted | undefined;
  readonly adminToken: Redacted | undefined;
}

const CLAIM = /^[A-Za-z0-9_.:/-]{1,128}$/;
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Reads the authentication settings (see {@link AUTH_SETTINGS}), reporting each bad value to `env` with the
 * setting's name and the fix; `env.done()` throws them all.
 */
export function readAuthConfig(env: EnvReader): AuthConfig {
  const mode = env.oneOf(AUTH_SETTINGS.mode, ["off", "on"] as const, "off");
  const internalToken = credentialRef(env, AUTH_SETTINGS.internalToken);
  if (mode === "on" && internalToken === undefined && env.optionalString(AUTH_SETTINGS.internalToken) === undefined) {
    env.problem(
      `${AUTH_SETTINGS.internalToken} is required when ${AUTH_SETTINGS.mode}=on: give env:NAME or file:/path of a long random secret ` +
        "shared by every modelrouter service (for example file:/run/secrets/modelrouter-internal-token)",
    );
  }
  return {
    mode,
    internalToken,
    adminToken: credentialRef(env, AUTH_SETTINGS.adminToken),
    jwt: readJwtSettings(env),
    apiKeyCacheTtlMs: env.durationMs(AUTH_SETTINGS.apiKeyCacheTtl, 30_000),
  };
}

/**
 * Reads the credentials the configuration refers to.
 *
 * @throws CredentialError (of `@modelrouter/egress`) naming the reference, never the value.
 */
export async function readAuthSecrets(config: AuthConfig, sources: CredentialSources): Promise<AuthSecrets> {
  return {
    internalToken: config.internalToken === undefined ? undefined : await readCredential(config.internalToken, sources),
    adminToken: config.adminToken === undefined ? undefined : await readCredential(config.adminToken, sources),
  };
}

function credentialRef(env: EnvReader, name: string): CredentialRef | undefined {
  const raw = env.optionalString(name);
  if (raw === undefined) return undefined;
  const parsed = parseCredentialRef(raw);
  if (parsed.problem !== undefined) env.problem(`${name} ${parsed.problem}`);
  return parsed.ref;
}

function readJwtSettings(env: EnvReader): JwtSettings | undefined {
  const issuer = env.optionalString(AUTH_SETTINGS.jwtIssuer);
  const audience = env.optionalString(AUTH_SETTINGS.jwtAudience);
  const jwksFile = env.optionalString(AUTH_SETTINGS.jwtJwksFile);
  const algorithms = env.listOf(AUTH_SETTINGS.jwtAlgorithms, JWT_ALGORITHMS, DEFAULT_JWT_ALGORITHMS);
  const clockSkewMs = env.durationMs(AUTH_SETTINGS.jwtClockSkew, 30_000);
  if (clockSkewMs > MAX_CLOCK_SKEW_MS) {
    env.problem(`${AUTH_SETTINGS.jwtClockSkew}: ${clockSkewMs} ms is too long; expected at most 5m, such as 30s`);
  }
  const tenantClaim = claimName(env, AUTH_SETTINGS.jwtTenantClaim, "tenant");
  const rolesClaim = claimName(env, AUTH_SETTINGS.jwtRolesClaim, "roles");
  const given = [issuer, audience, jwksFile].filter((value) => value !== undefined).length;
  if (given === 0) return undefined;
  if (given < 3) {
    env.problem(
      `JWT bearer tokens need ${AUTH_SETTINGS.jwtIssuer}, ${AUTH_SETTINGS.jwtAudience} and ${AUTH_SETTINGS.jwtJwksFile} together: ` +
        "set all three (the issuer's iss, this deployment's aud, the path of the issuer's JSON Web Key Set), or none to refuse JWTs",
    );
    return undefined;
  }
  if (jwksFile !== undefined && !jwksFile.startsWith("/")) {
    env.problem(`${AUTH_SETTINGS.jwtJwksFile}=${JSON.stringify(jwksFile)}: give the absolute path of a JSON Web Key Set file`);
  }
  return {
    issuer: issuer ?? "",
    audience: audience ?? "",
    jwksFile: jwksFile ?? "",
    algorithms: algorithms as readonly JwtAlgorithm[],
    clockSkewMs,
    tenantClaim,
    rolesClaim,
  };
}

function claimName(env: EnvReader, name: string, fallback: string): string {
  const raw = env.string(name, fallback);
  if (CLAIM.test(raw)) return raw;
  env.problem(`${name}=${JSON.stringify(raw)}: give a claim name of letters, digits and _ . : / - (a dotted path reaches into objects), such as ${fallback}`);
  return fallback;
}
