import { createHash } from "node:crypto";
import type { ApiKey } from "@modelrouter/contracts";
import { verifyOrUndefined, type ApiKeyVerifier } from "./api-key-verifier.js";

/** Options of {@link createApiKeyCache}. */
export interface ApiKeyCacheOptions {
  /** How long a valid key's record is reused, in milliseconds; default 30 s (a revocation takes at most this long). */
  readonly ttlMs?: number;
  /** How long "unknown key" is remembered, in milliseconds; default 5 s. */
  readonly negativeTtlMs?: number;
  /** The most keys remembered; the least recently used go first; default 10,000. */
  readonly maxEntries?: number;
  /** The clock (tests). */
  readonly now?: () => number;
}

interface Entry {
  readonly key: ApiKey | undefined;
  readonly until: number;
}

/**
 * A cached, single-flight {@link ApiKeyVerifier} for routers, over one that asks the registry: a key's answer is
 * reused for `ttlMs` (an unknown key's for `negativeTtlMs`), and concurrent checks of one key make one call.
 * Entries are keyed by the SHA-256 of the key, never the key itself. Failures to check (the registry unreachable)
 * are not remembered.
 */
export function createApiKeyCache(verify: ApiKeyVerifier, options: ApiKeyCacheOptions = {}): ApiKeyVerifier {
  const ttlMs = options.ttlMs ?? 30_000;
  const negativeTtlMs = options.negativeTtlMs ?? 5_000;
  const maxEntries = Math.max(1, options.maxEntries ?? 10_000);
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<ApiKey | undefined>>();

  const remember = (id: string, key: ApiKey | undefined): void => {
    entries.delete(id);
    const ttl = key === undefined ? negativeTtlMs : ttlMs;
    if (ttl <= 0) return;
    entries.set(id, { key, until: now() + ttl });
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  };

  return (token) => {
    const id = createHash("sha256").update(token, "utf8").digest("hex");
    const entry = entries.get(id);
    if (entry !== undefined && entry.until > now()) {
      entries.delete(id);
      entries.set(id, entry);
      return Promise.resolve(entry.key);
    }
    const pending = inFlight.get(id);
    if (pending !== undefined) return pending;
    const check = verifyOrUndefined(verify, token)
      .then((key) => {
        remember(id, key);
        return key;
      })
      .finally(() => inFlight.delete(id));
    inFlight.set(id, check);
    return check;
  };
}
