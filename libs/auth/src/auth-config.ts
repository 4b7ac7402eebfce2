import type { EnvReader } from "@modelrouter/config";
import { type CredentialRef, type CredentialSources, parseCredentialRef, readCredential, readEgressPolicy, type Redacted } from "@modelrouter/egress";
import { checkJwksUrl } from "./jwks-url.js";
import { DEFAULT_JWT_ALGORITHMS, JWT_ALGORITHMS, type JwtAlgorithm, type JwtSettings } from "./jwt-verifier.js";

/** The settings {@link readAuthConfig} reads. */
export const AUTH_SETTINGS = {
  mode: "MODELROUTER_AUTH",
  internalToken: "MODELROUTER_INTERNAL_TOKEN",
  adminToken: "MODELROUTER_ADMIN_TOKEN",
  jwtIssuer: "MODELROUTER_JWT_ISSUER",
  jwtAudience: "MODELROUTER_JWT_AUDIENCE",
  jwtJwksFile: "MODELROUTER_JWT_JWKS_FILE",
  jwtJwksUrl: "MODELROUTER_JWT_JWKS_URL",
  jwtAlgorithms: "MODELROUTER_JWT_ALGORITHMS",
  jwtClockSkew: "MODELROUTER_JWT_CLOCK_SKEW",
  jwtTenantClaim: "MODELROUTER_JWT_TENANT_CLAIM",
  jwtRolesClaim: "MODELROUTER_JWT_ROLES_CLAIM",
  jwtTierClaim: "MODELROUTER_JWT_TIER_CLAIM",
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
  /**
   * The JWT settings, when `MODELROUTER_JWT_ISSUER`, `_AUDIENCE` and one of `_JWKS_FILE` and `_JWKS_URL` are set
   * (all three or none); a JWKS URL with the egress policy (`MODELROUTER_EGRESS_*`) it is fetched under.
   */
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
  const jwksUrl = env.optionalString(AUTH_SETTINGS.jwtJwksUrl);
  const algorithms = env.listOf(AUTH_SETTINGS.jwtAlgorithms, JWT_ALGORITHMS, DEFAULT_JWT_ALGORITHMS);
  const clockSkewMs = env.durationMs(AUTH_SETTINGS.jwtClockSkew, 30_000);
  if (clockSkewMs > MAX_CLOCK_SKEW_MS) {
    env.problem(`${AUTH_SETTINGS.jwtClockSkew}: ${clockSkewMs} ms is too long; expected at most 5m, such as 30s`);
  }
  const tenantClaim = claimName(env, AUTH_SETTINGS.jwtTenantClaim, "tenant");
  const rolesClaim = claimName(env, AUTH_SETTINGS.jwtRolesClaim, "roles");
  const tierClaim = claimName(env, AUTH_SETTINGS.jwtTierClaim, "tier");
  if (jwksFile !== undefined && jwksUrl !== undefined) {
    env.problem(
      `${AUTH_SETTINGS.jwtJwksFile} and ${AUTH_SETTINGS.jwtJwksUrl} are both set: give the issuer's keys one way, ` +
        "the path of a JSON Web Key Set file or the URL it is published at (its jwks_uri)",
    );
    return undefined;
  }
  const keys = jwksFile ?? jwksUrl;
  const given = [issuer, audience, keys].filter((value) => value !== undefined).length;
  if (given === 0) return undefined;
  if (given < 3) {
    env.problem(
      `JWT bearer tokens need ${AUTH_SETTINGS.jwtIssuer}, ${AUTH_SETTINGS.jwtAudience} and ${AUTH_SETTINGS.jwtJwksFile} or ${AUTH_SETTINGS.jwtJwksUrl} together: ` +
        "set all three (the issuer's iss, this deployment's aud, the path or URL of the issuer's JSON Web Key Set), or none to refuse JWTs",
    );
    return undefined;
  }
  if (jwksFile !== undefined && !jwksFile.startsWith("/")) {
    env.problem(`${AUTH_SETTINGS.jwtJwksFile}=${JSON.stringify(jwksFile)}: give the absolute path of a JSON Web Key Set file`);
  }
  const common = {
    issuer: issuer ?? "",
    audience: audience ?? "",
    algorithms: algorithms as readonly JwtAlgorithm[],
    clockSkewMs,
    tenantClaim,
    rolesClaim,
    tierClaim,
  };
  if (jwksUrl === undefined) return { ...common, jwksFile: jwksFile ?? "" };
  const egress = readEgressPolicy(env);
  const checked = checkJwksUrl(egress, jwksUrl);
  if ("problem" in checked) {
    env.problem(
      `${AUTH_SETTINGS.jwtJwksUrl}=${JSON.stringify(jwksUrl.slice(0, 200))} ${checked.problem} ` +
        "(the JWKS is fetched under the egress policy: allow its host with MODELROUTER_EGRESS_ALLOW, or give the path of a JWKS file in " +
        `${AUTH_SETTINGS.jwtJwksFile})`,
    );
  }
  return { ...common, jwksUrl, egress };
}

function claimName(env: EnvReader, name: string, fallback: string): string {
  const raw = env.string(name, fallback);
  if (CLAIM.test(raw)) return raw;
  env.problem(`${name}=${JSON.stringify(raw)}: give a claim name of letters, digits and _ . : / - (a dotted path reaches into objects), such as ${fallback}`);
  return fallback;
}
