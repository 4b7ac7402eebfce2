/**
 * Who may call modelrouter and what they may do: API keys (their format and hashing), JWT bearer tokens, the roles
 * and the table of which role may call which RPC, the internal token between services, and the authenticator every
 * service's server runs.
 *
 * @packageDocumentation
 */
export { API_KEY_PREFIX, apiKeySecretMatches, hashApiKeySecret, newApiKey, parseApiKey, type NewApiKey } from "./api-key-token.js";
export { INTERNAL_ROLE, USER_ROLES, isUserRole, roleName, roleNames, roleOf, type RoleName, type UserRole } from "./roles.js";
export {
  PERMISSION_TABLE,
  SERVED_SERVICES,
  describePermission,
  methodPath,
  methodPermission,
  permits,
  type Permission,
} from "./permissions.js";
export { isTenant, mayAccessTenant, tenantFilter } from "./tenant.js";
export { AuthReason } from "./auth-errors.js";
export { SERVICE_HEADER, SERVICE_TOKEN_HEADER, internalHeaders, isServiceName } from "./internal-credential.js";
export {
  DEFAULT_JWT_ALGORITHMS,
  JWT_ALGORITHMS,
  JwtUnverifiableError,
  createJwtVerifier,
  type JwtAlgorithm,
  type JwtSettings,
  type JwtVerifier,
} from "./jwt-verifier.js";
export { diskJwksSource, parseJwks, type JwksFile, type JwksFileSource } from "./jwks-file.js";
export { MAX_JWKS_BYTES, checkJwksUrl, egressJwksFetch, type JwksFetch, type JwksFetchOptions } from "./jwks-url.js";
export { JwksUnavailableError, remoteJwks, type RemoteJwksOptions } from "./remote-jwks.js";
export { isUnknownKeyError, type ApiKeyVerifier } from "./api-key-verifier.js";
export { createApiKeyCache, type ApiKeyCacheOptions } from "./api-key-cache.js";
export { ANONYMOUS, createAuthenticator, type AuthenticatorOptions, type OnOptions } from "./authenticator.js";
export { AUTH_SETTINGS, readAuthConfig, readAuthSecrets, type AuthConfig, type AuthSecrets } from "./auth-config.js";
