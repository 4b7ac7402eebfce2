import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { ApiKeySchema, type ApiKey } from "@modelrouter/contracts";
import { Code, RpcError } from "@modelrouter/rpc-kit";
import { createApiKeyCache } from "./api-key-cache.js";
import { newApiKey } from "./api-key-token.js";

/** A verifier that counts its calls and answers from `known`; `gate` holds answers until released. */
function registry(known: Map<string, ApiKey>) {
  const seen: string[] = [];
  let release: () => void = () => undefined;
  let gate: Promise<void> | undefined;
  return {
    seen,
    hold: () => {
      gate = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
    verify: async (token: string): Promise<ApiKey | undefined> => {
      seen.push(token);
      await gate;
      return known.get(token);
    },
  };
}

describe("an API key cache", () => {
  const key = newApiKey();
  const record = create(ApiKeySchema, { id: key.id, tenant: "acme" });

  it("asks once per key within the TTL, then again after it", async () => {
    let now = 0;
    const upstream = registry(new Map([[key.token, record]]));
    const cached = createApiKeyCache(upstream.verify, { ttlMs: 30_000, now: () => now });
    await expect(cached(key.token)).resolves.toBe(record);
    now = 29_999;
    await expect(cached(key.token)).resolves.toBe(record);
    expect(upstream.seen).toHaveLength(1);
    now = 30_000;
    await cached(key.token);
    expect(upstream.seen).toHaveLength(2);
  });

  it("remembers an unknown key for the negative TTL only", async () => {
    let now = 0;
    const upstream = registry(new Map());
    const cached = createApiKeyCache(upstream.verify, { negativeTtlMs: 5_000, now: () => now });
    await expect(cached(key.token)).resolves.toBeUndefined();
    now = 4_999;
    await cached(key.token);
    expect(upstream.seen).toHaveLength(1);
    now = 5_000;
    await cached(key.token);
    expect(upstream.seen).toHaveLength(2);
  });

  it("makes one call for concurrent checks of one key", async () => {
    const upstream = registry(new Map([[key.token, record]]));
    const cached = createApiKeyCache(upstream.verify);
    upstream.hold();
    const answers = Promise.all(Array.from({ length: 20 }, () => cached(key.token)));
    upstream.release();
    expect(await answers).toEqual(Array.from({ length: 20 }, () => record));
    expect(upstream.seen).toHaveLength(1);
  });

  it("takes the registry's UNAUTHENTICATED as an unknown key, and does not remember that it could not check", async () => {
    let calls = 0;
    let failure: RpcError = new RpcError({ code: Code.UNAVAILABLE, message: "down" });
    const cached = createApiKeyCache(() => {
      calls += 1;
      return Promise.reject(failure);
    });
    await expect(cached(key.token)).rejects.toBe(failure);
    await expect(cached(key.token)).rejects.toBe(failure);
    expect(calls).toBe(2);
    failure = new RpcError({ code: Code.UNAUTHENTICATED, message: "unknown" });
    await expect(cached(key.token)).resolves.toBeUndefined();
    await expect(cached(key.token)).resolves.toBeUndefined();
    expect(calls).toBe(3);
  });

  it("keeps at most maxEntries keys, dropping the least recently used", async () => {
    const keys = Array.from({ length: 3 }, () => newApiKey().token);
    const upstream = registry(new Map());
    const cached = createApiKeyCache(upstream.verify, { maxEntries: 2 });
    await cached(keys[0] as string);
    await cached(keys[1] as string);
    await cached(keys[0] as string);
    await cached(keys[2] as string);
    expect(upstream.seen).toHaveLength(3);
    await cached(keys[0] as string);
    expect(upstream.seen).toHaveLength(3);
    await cached(keys[1] as string);
    expect(upstream.seen).toHaveLength(4);
  });
});
