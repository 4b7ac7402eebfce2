import { jwtVerify, type JWTPayload } from "jose";
import type { CallerIdentity } from "@modelrouter/rpc-kit";
import { diskJwksSource, loadJwksFile, type JwksFileSource } from "./jwks-file.js";
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
  /** The JSON Web Key Set file of the issuer's public keys; reloaded when it changes. */
  readonly jwksFile: string;
  /** Accepted `alg`s; default RS256 and ES256. */
  readonly algorithms?: readonly JwtAlgorithm[];
  /** Leeway for `exp` and `nbf`, in milliseconds; default 30 s. */
  readonly clockSkewMs?: number;
  /** The claim holding the tenant; default "tenant". A dotted path (`org.tenant`) reaches into objects. */
  readonly tenantClaim?: string;
  /** The claim holding the role names (a list, or one space-separated string); default "roles". */
  readonly rolesClaim?: string;
  /** How often, at most, the JWKS file is checked for changes, in milliseconds; default 5 s. */
  readonly reloadCheckMs?: number;
  /** The clock (tests). */
  readonly now?: () => number;
  /** Where the JWKS is read (tests); default the file `jwksFile`. */
  readonly jwksSource?: JwksFileSource;
}

/** Checks a bearer token: the caller's identity, or undefined when the token is not a valid JWT for this deployment. */
export type JwtVerifier = (token: string) => Promise<CallerIdentity | undefined>;

/** A JWT's shape: three base64url parts. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_SUBJECT_LENGTH = 256;

/**
 * Makes a JWT verifier: the signature with a key from the JWKS file (chosen by `kid` and `alg`) and a pinned
 * algorithm, `iss`, `aud`, `exp` (required) and `nbf` with the clock skew; then the subject from `sub`, the tenant
 * from the tenant claim and the roles from the roles claim (unknown names ignored). A token with no known role, or
 * without a tenant for an identity that is not an admin, is refused.
 *
 * @throws Error when an algorithm is not asymmetric or the JWKS file cannot be read or parsed.
 */
export async function createJwtVerifier(settings: JwtSettings): Promise<JwtVerifier> {
  const algorithms = [...(settings.algorithms ?? DEFAULT_JWT_ALGORITHMS)];
  const bad = algorithms.filter((alg) => !(JWT_ALGORITHMS as readonly string[]).includes(alg));
  if (bad.length > 0 || algorithms.length === 0) {
    throw new Error(`JWT algorithms ${JSON.stringify(bad)} are not accepted: use some of ${JWT_ALGORITHMS.join(", ")}`);
  }
  const now = settings.now ?? Date.now;
  const reloadCheckMs = settings.reloadCheckMs ?? 5_000;
  const jwks = await loadJwksFile(settings.jwksSource ?? diskJwksSource(settings.jwksFile), `JWKS file ${settings.jwksFile}`);
  let checkedAt = now();
  const tenantClaim = settings.tenantClaim ?? "tenant";
  const rolesClaim = settings.rolesClaim ?? "roles";
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
    } catch {
      return undefined;
    }
    return identityOf(payload, tenantClaim, rolesClaim);
  };
}

function identityOf(payload: JWTPayload, tenantClaim: string, rolesClaim: string): CallerIdentity | undefined {
  const subject = payload.sub;
  if (typeof subject !== "string" || subject === "" || subject.length > MAX_SUBJECT_LENGTH) return undefined;
  const roles = rolesOf(claim(payload, rolesClaim));
  if (roles.length === 0) return undefined;
  const tenantValue = claim(payload, tenantClaim);
  const tenant = typeof tenantValue === "string" ? tenantValue : "";
  if (tenantValue !== undefined && !isTenant(tenant)) return undefined;
  if (tenant === "" && !roles.includes("admin")) return undefined;
  return Object.freeze({ kind: "jwt", subject, tenant, roles: Object.freeze(roles) });
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
