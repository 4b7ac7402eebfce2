import type { ApiKey } from "@modelrouter/contracts";
import { apiKeySecretMatches, parseApiKey } from "@modelrouter/auth";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { ERROR_DOMAIN, ErrorReason } from "@modelrouter/errors";
import { Code, RpcError } from "@modelrouter/rpc-kit";
import type { RegistryStore } from "../store/registry-store.js";

/** Checks a presented API key and resolves with what it may do. */
export type ApiKeyVerifier = (token: string) => Promise<ApiKey>;

/** The one answer to every key that does not verify: it never says which part was wrong, nor echoes the key. */
export function unknownApiKey(): RpcError {
  return new RpcError({ code: Code.UNAUTHENTICATED, reason: ErrorReason.UNAUTHENTICATED, domain: ERROR_DOMAIN, message: "the API key is unknown, expired or revoked: ask an admin for a valid key" });
}

/**
 * The verifier of the API keys in `store`, for the registry's own authenticator and its VerifyApiKey RPC: the key's
 * syntax (`parseApiKey`), its row, its secret (`apiKeySecretMatches`, constant time), not revoked, not expired at the
 * store's clock. Anything else rejects with {@link unknownApiKey} (UNAUTHENTICATED).
 */
export function verifyApiKeyIn(store: Pick<RegistryStore, "findApiKey" | "now">): ApiKeyVerifier {
  return async (token) => {
    const parsed = parseApiKey(token);
    if (parsed === undefined) throw unknownApiKey();
    const stored = await store.findApiKey(parsed.id);
    if (stored === undefined || !apiKeySecretMatches(parsed.secret, stored.secretHash)) throw unknownApiKey();
    const { key } = stored;
    if (key.revokeTime !== undefined) throw unknownApiKey();
    if (key.expireTime !== undefined && timestampDate(key.expireTime).getTime() <= store.now().getTime()) throw unknownApiKey();
    return key;
  };
}
