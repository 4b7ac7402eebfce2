import { createApiKeyCache, type ApiKeyVerifier } from "@modelrouter/auth";
import type { RegistryService } from "@modelrouter/contracts";
import type { ServiceClient } from "@modelrouter/rpc-kit";

/**
 * How a router checks the API keys its clients present: the registry's VerifyApiKey (remote, or in-process when the
 * registry is co-located), each answer reused for `ttlMs` (`MODELROUTER_API_KEY_CACHE_TTL`; 0: asked every time).
 */
export function routerKeyVerifier(registry: ServiceClient<typeof RegistryService>, ttlMs: number): ApiKeyVerifier {
  const verify: ApiKeyVerifier = async (token) => (await registry.verifyApiKey({ secret: token })).key;
  return ttlMs === 0 ? verify : createApiKeyCache(verify, { ttlMs });
}
