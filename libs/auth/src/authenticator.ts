import { timestampMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { ApiKey } from "@modelrouter/contracts";
import { ANONYMOUS_ADMIN, type Authenticator, type CallCredentials, type CallerIdentity } from "@modelrouter/rpc-kit";
import { parseApiKey, API_KEY_PREFIX } from "./api-key-token.js";
import { verifyOrUndefined, type ApiKeyVerifier } from "./api-key-verifier.js";
import {
  malformedCredential,
  missingCredential,
  permissionDenied,
  rejectedCredential,
  rejectedServiceCredential,
  unverifiableCredential,
} from "./auth-errors.js";
import { isServiceName, secretEquals, SERVICE_HEADER, SERVICE_TOKEN_HEADER } from "./internal-credential.js";
import { JwtUnverifiableError, type JwtVerifier } from "./jwt-verifier.js";
import { methodPermission, permits } from "./permissions.js";
import { INTERNAL_ROLE, roleNames } from "./roles.js";

/** Options of {@link createAuthenticator}. */
export type AuthenticatorOptions = { readonly mode: "off" } | OnOptions;

/** Options of an authenticator that checks every call. */
export interface OnOptions {
  readonly mode: "on";
  /** The deployment's internal token: other modelrouter services send it with their name. */
  readonly internalToken: string;
  /**
   * The static bootstrap credential of an admin (identity kind "api-key", subject "admin-token", roles admin, no
   * tenant); absent: none is accepted. It must not start with `mrk_`.
   */
  readonly adminToken?: string | undefined;
  /** Checks API keys (the registry, or a router's {@link createApiKeyCache} over it); absent: API keys are refused. */
  readonly verifyApiKey?: ApiKeyVerifier | undefined;
  /** Checks JWTs ({@link createJwtVerifier}); absent: JWTs are refused. */
  readonly verifyJwt?: JwtVerifier | undefined;
  /** The clock, for API keys' expiry (tests). */
  readonly now?: () => number;
}

/** The identity of a call to a public method (health, reflection) made without a credential. */
export const ANONYMOUS: CallerIdentity = Object.freeze({ kind: "anonymous", subject: "anonymous", tenant: "", roles: Object.freeze([]) });

const ADMIN_TOKEN_IDENTITY: CallerIdentity = Object.freeze({ kind: "api-key", subject: "admin-token", tenant: "", roles: Object.freeze(["admin"]) });
const BEARER = /^Bearer +(\S+) *$/i;

/**
 * The authenticator every modelrouter server runs (rpc-kit's `Authenticator`).
 *
 * - `off`: every call is `ANONYMOUS_ADMIN` (the local demo).
 * - `on`: public methods (health, reflection) pass without a credential. Otherwise the caller is another
 *   modelrouter service (`x-modelrouter-service` + `x-modelrouter-service-token` equal to the internal token), or
 *   presents `authorization: Bearer <credential>`: an API key, the admin token, or a JWT. Then the permission table
 *   decides. Missing or bad credentials are UNAUTHENTICATED (never repeating the credential), a method the roles do
 *   not allow PERMISSION_DENIED, an API key or JWT that cannot be checked now (the registry or the issuer's keys
 *   unreachable) UNAVAILABLE.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  if (options.mode === "off") return () => Promise.resolve(ANONYMOUS_ADMIN);
  if (options.internalToken === "") throw new Error("createAuthenticator: the internal token is empty");
  if (options.adminToken?.startsWith(API_KEY_PREFIX) === true) {
    throw new Error(`createAuthenticator: the admin token must not start with ${API_KEY_PREFIX} (it would be taken for an API key)`);
  }
  const identify = identifier(options);
  return async (call) => {
    const permission = methodPermission(call.method);
    if (permission === "public") return ANONYMOUS;
    const identity = await identify(call);
    if (!permits(permission, identity.roles)) throw permissionDenied(call.method, permission, identity.roles);
    return identity;
  };
}

function identifier(options: OnOptions): (call: CallCredentials) => Promise<CallerIdentity> {
  const now = options.now ?? Date.now;
  const adminToken = options.adminToken === "" ? undefined : options.adminToken;

  const apiKeyIdentity = async (method: string, token: string): Promise<CallerIdentity> => {
    const parsed = parseApiKey(token);
    if (parsed === undefined || options.verifyApiKey === undefined) throw rejectedCredential(method);
    let key: ApiKey | undefined;
    try {
      key = await verifyOrUndefined(options.verifyApiKey, token);
    } catch (error) {
      throw unverifiableCredential(method, error);
    }
    if (key === undefined || key.id !== parsed.id || key.revokeTime !== undefined || expired(key.expireTime, now())) {
      throw rejectedCredential(method);
    }
    return Object.freeze({
      kind: "api-key",
      subject: `key:${key.id}`,
      tenant: key.tenant,
      roles: Object.freeze(roleNames(key.roles)),
      ...(key.tier === "" ? {} : { tier: key.tier }),
    });
  };

  return async (call) => {
    const service = call.header(SERVICE_HEADER);
    const serviceToken = call.header(SERVICE_TOKEN_HEADER);
    if (service !== undefined || serviceToken !== undefined) {
      if (service === undefined || serviceToken === undefined || !isServiceName(service) || !secretEquals(serviceToken, options.internalToken)) {
        throw rejectedServiceCredential(call.method);
      }
      return Object.freeze({ kind: "internal", subject: `internal:${service}`, tenant: "", roles: Object.freeze([INTERNAL_ROLE]) });
    }
    const authorization = call.header("authorization");
    if (authorization === undefined || authorization.trim() === "") throw missingCredential(call.method);
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) throw malformedCredential(call.method);
    if (token.startsWith(API_KEY_PREFIX)) return apiKeyIdentity(call.method, token);
    if (adminToken !== undefined && secretEquals(token, adminToken)) return ADMIN_TOKEN_IDENTITY;
    let identity: CallerIdentity | undefined;
    try {
      identity = options.verifyJwt === undefined ? undefined : await options.verifyJwt(token);
    } catch (error) {
      if (error instanceof JwtUnverifiableError) throw unverifiableCredential(call.method, error, "the issuer's keys cannot be fetched");
      throw error;
    }
    if (identity === undefined) throw rejectedCredential(call.method);
    return identity;
  };
}

function expired(expireTime: Timestamp | undefined, nowMs: number): boolean {
  return expireTime !== undefined && timestampMs(expireTime) <= nowMs;
}
