import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** The prefix of every modelrouter API key. */
export const API_KEY_PREFIX = "mrk_";

/** A key's public id: 12 lower-case hex digits. */
const ID = /^[0-9a-f]{12}$/;
/** A key's secret: 43 base64url characters (32 random bytes). */
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/** A new API key: its public id, its secret, and the whole key the client is given once. */
export interface NewApiKey {
  readonly id: string;
  readonly secret: string;
  /** "mrk_<id>_<secret>": what the client sends as "authorization: Bearer <key>". */
  readonly token: string;
}

/** Makes a new API key from 38 random bytes (`random` for tests). */
export function newApiKey(random: (size: number) => Uint8Array = randomBytes): NewApiKey {
  const id = Buffer.from(random(6)).toString("hex");
  const secret = Buffer.from(random(32)).toString("base64url");
  return { id, secret, token: `${API_KEY_PREFIX}${id}_${secret}` };
}

/** The id and secret of a presented key, or undefined when it is not a modelrouter API key. */
export function parseApiKey(token: string): { readonly id: string; readonly secret: string } | undefined {
  if (!token.startsWith(API_KEY_PREFIX)) return undefined;
  const rest = token.slice(API_KEY_PREFIX.length);
  const id = rest.slice(0, 12);
  const secret = rest.slice(13);
  if (rest[12] !== "_" || !ID.test(id) || !SECRET.test(secret)) return undefined;
  return { id, secret };
}

/**
 * The hash the registry stores of a key's secret: SHA-256, hex. A key's secret is 256 random bits, so a fast hash
 * is enough (there is nothing to guess); the secret itself is never stored.
 */
export function hashApiKeySecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Whether `secret` is the one whose hash is `storedHash`, compared in constant time. */
export function apiKeySecretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKeySecret(secret), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
