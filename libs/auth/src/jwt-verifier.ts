import { jwtVerify, type JWTPayload } from "jose";
import type { CallerIdentity } from "@modelrouter/rpc-kit";
import type { EgressPolicy, Lookup } from "@modelrouter/egress";
import { diskJwksSource, loadJwksFile, type JwksFile, type JwksFileSource } from "./jwks-file.js";
import { egressJwksFetch, type JwksFetch } from "./jwks-url.js";
import { JwksUnavailableError, remoteJwks } from "./remote-jwks.js";
import { isUserRole, type UserRole } from "./roles.js";
import { isTenant } from "./tenant.js";

/** The signature algorithms a JWT may use: asymmetric only (no `none`, no HS*: no shared-secret tokens). */
export const JWT_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"] as const;

/** An accepted JWT signature algorithm. */
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** The default algorithms. */
export const DEFAULT_JWT_ALGORITHMS: readonly JwtAlgorithm[] = Object.freeze(["RS256", "ES256"]);

/** Settings of {@link createJwtVerifier}. */
export interface JwtSettings {
  /** The `iss` every token must carry. */
  readonly issuer: string;
  /** The `aud` every token must include. */
  readonly audience: string;
  /** The JSON Web Key Set file of the issuer's public keys; reloaded when it changes. Exclusive with `jwksUrl`. */
  readonly jwksFile?: string;
  /**
   * The URL of the issuer's JSON Web Key Set (its `jwks_uri`), fetched under `egress`, cached and refreshed (see
   * `remoteJwks`). Exclusive with `jwksFile`.
   */
  readonly jwksUrl?: string;
  /** Where a `jwksUrl` may be fetched from (its host and every address it resolves to). Required with `jwksUrl`. */
  readonly egress?: EgressPolicy;
  /** How long keys fetched from `jwksUrl` are used before they are fetched again, in milliseconds; default 10 min. */
  readonly jwksMaxAgeMs?: number;
  /** The least time between two fetches of `jwksUrl` (unknown `kid`s trigger one), in milliseconds; default 30 s. */
  readonly jwksCooldownMs?: number;
  /** Resolves `jwksUrl`'s host (tests); default the system resolver. */
  readonly lookup?: Lookup;
  /** Fetches `jwksUrl` (tests); default an egress-checked HTTP GET. */
  readonly jwksFetch?: JwksFetch;
  /** Accepted `alg`s; default RS256 and ES256. */
  readonly algorithms?: readonly JwtAlgorithm[];
  /** Leeway for `exp` and `nbf`, in milliseconds; default 30 s. */
  readonly clockSkewMs?: number;
  /** The claim holding the tenant; default "tenant". A dotted path (`org.tenant`) reaches into objects. */
  readonly tenantClaim?: string;
  /** The claim holding the role names (a list, or one space-separated string); default "roles". */
  readonly rolesClaim?: string;
  /** The claim holding the service tier; default "tier". Absent from a token: the identity has no tier. */
  readonly tierClaim?: string;
  /** How often, at most, the JWKS file is checked for changes, in milliseconds; default 5 s. */
  readonly reloadCheckMs?: number;
  /** The clock (tests). */
  readonly now?: () => number;
  /** Where the JWKS is read (tests); default the file `jwksFile`. */
  readonly jwksSource?: JwksFileSource;
}

/**
 * Checks a bearer token: the caller's identity, or undefined when the token is not a valid JWT for this deployment.
 * Rejects with {@link JwtUnverifiableError} when it cannot be checked now (the issuer's JWKS cannot be fetched).
 */
export type JwtVerifier = (token: string) => Promise<CallerIdentity | undefined>;

/** A JWT that cannot be checked now, because the issuer's keys cannot be fetched; the caller may retry. */
export class JwtUnverifiableError extends Error {
  override readonly name = "JwtUnverifiableError";
}

/** A JWT's shape: three base64url parts. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_SUBJECT_LENGTH = 256;

/**
 * Makes a JWT verifier: the signature with a key from the JWKS file (chosen by `kid` and `alg`) and a pinned
 * algorithm, `iss`, `aud`, `exp` (required) and `nbf` with the clock skew; then the subject from `sub`, the tenant
 * from the tenant claim, the roles from the roles claim (unknown names ignored) and the tier from the tier claim
 * (absent: no tier). A token with no known role, without a tenant for an identity that is not an admin, or with a
 * tier claim that is not a tier (1 to 63 letters, digits, '-', '_' or '.'), is refused.
 *
 * The keys come from the JWKS file (reloaded when it changes) or the JWKS URL (fetched under the egress policy,
 * cached, refetched at most once per cooldown for an unknown `kid`; a first fetch that fails does not stop the
 * start: tokens are unverifiable until one succeeds).
 *
 * @throws Error when an algorithm is not asymmetric, neither or both of `jwksFile` and `jwksUrl` are given, the JWKS
 *   file cannot be read or parsed, or the JWKS URL is refused by the egress policy.
 */
export async function createJwtVerifier(settings: JwtSettings): Promise<JwtVerifier> {
  const algorithms = [...(settings.algorithms ?? DEFAULT_JWT_ALGORITHMS)];
  const bad = algorithms.filter((alg) => !(JWT_ALGORITHMS as readonly string[]).includes(alg));
  if (bad.length > 0 || algorithms.length === 0) {
    throw new Error(`JWT algorithms ${JSON.stringify(bad)} are not accepted: use some of ${JWT_ALGORITHMS.join(", ")}`);
  }
  const now = settings.now ?? Date.now;
  const reloadCheckMs = settings.reloadCheckMs ?? 5_000;
  const jwks = await keySource(settings, now);
  let checkedAt = now();
  const tenantClaim = settings.tenantClaim ?? "tenant";
  const rolesClaim = settings.rolesClaim ?? "roles";
  const tierClaim = settings.tierClaim ?? "tier";
  const clockTolerance = Math.round((settings.clockSkewMs ?? 30_000) / 1000);

  return async (token) => {
    if (!JWT_SHAPE.test(token)) return undefined;
    if (now() - checkedAt >= reloadCheckMs) {
      checkedAt = now();
      await jwks.refresh();
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks.getKey, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms,
        clockTolerance,
        requiredClaims: ["exp", "sub"],
        currentDate: new Date(now()),
      }));
    } catch (error) {
      if (error instanceof JwksUnavailableError) throw new JwtUnverifiableError(error.message, { cause: error });
      return undefined;
    }
    return identityOf(payload, { tenant: tenantClaim, roles: rolesClaim, tier: tierClaim });
  };
}

async function keySource(settings: JwtSettings, now: () => number): Promise<JwksFile> {
  const { jwksFile, jwksUrl } = settings;
  if ((jwksFile === undefined || jwksFile === "") === (jwksUrl === undefined || jwksUrl === "")) {
    throw new Error("JWT verification needs the issuer's keys from exactly one of a JWKS file and a JWKS URL");
  }
  if (jwksFile !== undefined && jwksFile !== "") {
    return loadJwksFile(settings.jwksSource ?? diskJwksSource(jwksFile), `JWKS file ${jwksFile}`);
  }
  const url = jwksUrl ?? "";
  if (settings.jwksFetch === undefined && settings.egress === undefined) throw new Error("a JWKS URL needs the egress policy it is fetched under");
  const fetch =
    settings.jwksFetch ??
    egressJwksFetch({ url, egress: settings.egress as EgressPolicy, ...(settings.lookup === undefined ? {} : { lookup: settings.lookup }) });
  const keys = remoteJwks({
    fetch,
    where: `JWKS URL ${url}`,
    now,
    ...(settings.jwksMaxAgeMs === undefined ? {} : { maxAgeMs: settings.jwksMaxAgeMs }),
    ...(settings.jwksCooldownMs === undefined ? {} : { cooldownMs: settings.jwksCooldownMs }),
  });
  await keys.refresh();
  return keys;
}

interface ClaimNames {
  readonly tenant: string;
  readonly roles: string;
  readonly tier: string;
}

/** A tier: letters, digits, '-', '_' and '.', 1 to 63 characters (the registry's rule for an API key's tier). */
const TIER = /^[A-Za-z0-9._-]{1,63}$/;

function identityOf(payload: JWTPayload, claims: ClaimNames): CallerIdentity | undefined {
  const subject = payload.sub;
  if (typeof subject !== "string" || subject === "" || subject.length > MAX_SUBJECT_LENGTH) return undefined;
  const roles = rolesOf(claim(payload, claims.roles));
  if (roles.length === 0) return undefined;
  const tenantValue = claim(payload, claims.tenant);
  const tenant = typeof tenantValue === "string" ? tenantValue : "";
  if (tenantValue !== undefined && !isTenant(tenant)) return undefined;
  if (tenant === "" && !roles.includes("admin")) return undefined;
  const tier = claim(payload, claims.tier);
  if (tier !== undefined && (typeof tier !== "string" || !TIER.test(tier))) return undefined;
  return Object.freeze({ kind: "jwt", subject, tenant, roles: Object.freeze(roles), ...(tier === undefined ? {} : { tier }) });
}

/** A claim by name, or by dotted path into nested objects when no claim has the whole name. */
function claim(payload: JWTPayload, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  let value: unknown = payload;
  for (const part of name.split(".")) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function rolesOf(value: unknown): UserRole[] {
  const names = typeof value === "string" ? value.split(" ") : Array.isArray(value) ? value : [];
  return [...new Set(names.filter((name): name is UserRole => typeof name === "string" && isUserRole(name)))];
}
