import { ERROR_DOMAIN, ErrorReason } from "@modelrouter/errors";
import { Code, RpcError } from "@modelrouter/rpc-kit";
import { describePermission, type Permission } from "./permissions.js";

/** The `google.rpc.ErrorInfo` reasons of the authenticator's refusals (from the one catalogue, `ErrorReason`). */
export const AuthReason = {
  UNAUTHENTICATED: ErrorReason.UNAUTHENTICATED,
  PERMISSION_DENIED: ErrorReason.PERMISSION_DENIED,
  CREDENTIAL_UNVERIFIABLE: ErrorReason.CREDENTIAL_UNVERIFIABLE,
} as const;

const HOW =
  'send "authorization: Bearer <credential>" with an API key (mrk_...), a JWT from the configured issuer, or the admin token';

/** UNAUTHENTICATED for a call without a credential; says what to send. */
export function missingCredential(method: string): RpcError {
  return unauthenticated(`${method} needs a credential: ${HOW}`);
}

/** UNAUTHENTICATED for an authorization header that is not "Bearer <credential>"; never repeats it. */
export function malformedCredential(method: string): RpcError {
  return unauthenticated(`${method}: the authorization header is not "Bearer <credential>": ${HOW}`);
}

/** UNAUTHENTICATED for a credential that is not valid; never repeats it nor says which part was wrong. */
export function rejectedCredential(method: string): RpcError {
  return unauthenticated(`${method}: the credential is unknown, expired or revoked: ${HOW}`);
}

/** UNAUTHENTICATED for a bad internal service credential. */
export function rejectedServiceCredential(method: string): RpcError {
  return unauthenticated(
    `${method}: the service credential is unknown: a modelrouter service sends x-modelrouter-service (its name) and ` +
      "x-modelrouter-service-token (the deployment's MODELROUTER_INTERNAL_TOKEN)",
  );
}

/**
 * UNAVAILABLE when the credential could not be checked now; the caller may retry. `why` says what is missing, such
 * as "the registry is unreachable" (an API key) or "the issuer's keys cannot be fetched" (a JWT).
 */
export function unverifiableCredential(method: string, cause: unknown, why = "the registry is unreachable"): RpcError {
  return new RpcError({
    code: Code.UNAVAILABLE,
    message: `${method}: the credential cannot be checked right now (${why}); retry shortly`,
    reason: AuthReason.CREDENTIAL_UNVERIFIABLE,
    domain: ERROR_DOMAIN,
    cause,
  });
}

/** PERMISSION_DENIED naming the method and the roles it needs. */
export function permissionDenied(method: string, permission: Permission, roles: readonly string[]): RpcError {
  const held = roles.length === 0 ? "no role" : `the roles ${roles.join(", ")}`;
  return new RpcError({
    code: Code.PERMISSION_DENIED,
    message: `${method} needs ${describePermission(permission)}; the caller has ${held}`,
    reason: AuthReason.PERMISSION_DENIED,
    domain: ERROR_DOMAIN,
  });
}

function unauthenticated(message: string): RpcError {
  return new RpcError({ code: Code.UNAUTHENTICATED, message, reason: AuthReason.UNAUTHENTICATED, domain: ERROR_DOMAIN });
}
