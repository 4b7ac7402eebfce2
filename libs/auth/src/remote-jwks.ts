import { createLocalJWKSet, errors, type JWTVerifyGetKey } from "jose";
import type { JwksFile } from "./jwks-file.js";
import { parseJwks } from "./jwks-file.js";
import type { JwksFetch } from "./jwks-url.js";

/** The JWKS cannot be had now (never fetched, or a refetch for an unknown key failed): the token cannot be checked. */
export class JwksUnavailableError extends Error {
  override readonly name = "JwksUnavailableError";
}

/** Options of {@link remoteJwks}. */
export interface RemoteJwksOptions {
  /** Fetches the document (usually {@link egressJwksFetch}). */
  readonly fetch: JwksFetch;
  /** How the source is named in errors, such as "JWKS URL https://id.example.com/jwks.json". */
  readonly where: string;
  /** How long fetched keys are used before they are fetched again; default 10 minutes. */
  readonly maxAgeMs?: number;
  /** The least time between two fetches, whatever asks for them (unknown `kid`s, expiry); default 30 s. */
  readonly cooldownMs?: number;
  /** The clock (tests). */
  readonly now?: () => number;
}

/**
 * The keys of a JWKS fetched from a URL, cached: fetched again when older than `maxAgeMs` (a failed refetch keeps
 * the keys last fetched), or when a token names a `kid` the cached set lacks (key rotation) — at most one fetch per
 * `cooldownMs`, however many tokens ask, and one fetch at a time. Until a first fetch succeeds, and when the refetch
 * for an unknown `kid` fails, `getKey` throws {@link JwksUnavailableError}.
 */
export function remoteJwks(options: RemoteJwksOptions): JwksFile {
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  const cooldownMs = options.cooldownMs ?? 30_000;
  let keys: JWTVerifyGetKey | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let triedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<boolean> | undefined;

  const load = (): Promise<boolean> => {
    inFlight ??= (async () => {
      triedAt = now();
      try {
        keys = createLocalJWKSet(parseJwks(await options.fetch(), options.where));
        fetchedAt = now();
        return true;
      } catch {
        return false;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
  const mayFetch = (): boolean => inFlight !== undefined || now() - triedAt >= cooldownMs;
  const unavailable = (): JwksUnavailableError => new JwksUnavailableError(`the ${options.where} cannot be fetched`);

  return {
    getKey: async (header, token) => {
      if (keys === undefined && !(mayFetch() && (await load()))) throw unavailable();
      try {
        return await (keys as JWTVerifyGetKey)(header, token);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey) || !mayFetch()) throw error;
      }
      if (!(await load())) throw unavailable();
      return (keys as JWTVerifyGetKey)(header, token);
    },
    refresh: async () => {
      if (now() - fetchedAt < maxAgeMs || !mayFetch()) return;
      // Stale keys keep verifying while the fetch runs; with none yet, the caller waits for it.
      if (keys === undefined) await load();
      else void load();
    },
  };
}
