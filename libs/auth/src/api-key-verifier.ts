import type { ApiKey } from "@modelrouter/contracts";
import { Code, isRpcError } from "@modelrouter/rpc-kit";

/**
 * Checks a presented API key (the whole `mrk_...` token): its stored record, or undefined when the key is unknown,
 * wrong, expired or revoked. The registry's VerifyApiKey (through its client) or {@link createApiKeyCache} over it.
 * It may also reject with the registry's UNAUTHENTICATED (or NOT_FOUND) `RpcError`, which means the same as
 * undefined; any other rejection means the key could not be checked now.
 */
export type ApiKeyVerifier = (token: string) => Promise<ApiKey | undefined>;

/** True for a rejection of an {@link ApiKeyVerifier} that says the key is not valid (rather than "cannot check now"). */
export function isUnknownKeyError(error: unknown): boolean {
  return isRpcError(error) && (error.code === Code.UNAUTHENTICATED || error.code === Code.NOT_FOUND);
}

/** Calls `verify`, turning "the key is not valid" rejections into undefined. */
export async function verifyOrUndefined(verify: ApiKeyVerifier, token: string): Promise<ApiKey | undefined> {
  try {
    return await verify(token);
  } catch (error) {
    if (isUnknownKeyError(error)) return undefined;
    throw error;
  }
}
