import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { ApiKeySchema, type ApiKey, type Role } from "@modelrouter/contracts";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { apiKeySecretMatches, hashApiKeySecret, newApiKey, parseApiKey } from "./api-key-token.js";
import type { ApiKeyVerifier } from "./api-key-verifier.js";

/** Seconds since the epoch at which the test clocks start. */
export const T0 = 1_900_000_000;
export const ISSUER = "https://id.example.com/";
export const AUDIENCE = "modelrouter";

/** A signing key and its public JWK (with `kid` and `alg`). */
export interface SigningKey {
  readonly kid: string;
  readonly alg: "RS256" | "ES256";
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

/** Generates a key pair for `alg`, its public JWK named `kid`. */
export async function signingKey(alg: "RS256" | "ES256", kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

/** Writes a JWKS of `keys` to a new temporary file and returns its path. */
export function writeJwks(keys: readonly JWK[], path = join(mkdtempSync(join(tmpdir(), "auth-jwks-")), "jwks.json")): string {
  writeFileSync(path, JSON.stringify({ keys }));
  return path;
}

/** Signs a JWT valid from T0 for an hour with `key`, with the given claims over sensible defaults. */
export async function signToken(key: SigningKey, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const body = { iss: ISSUER, aud: AUDIENCE, sub: "alice", tenant: "acme", roles: ["client"], iat: T0, nbf: T0, exp: T0 + 3600, ...claims };
  for (const [name, value] of Object.entries(body)) if (value === undefined) delete (body as Record<string, unknown>)[name];
  return new SignJWT(body).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
}

/** A token with `alg: none` and no signature. */
export function unsignedToken(claims: Record<string, unknown> = {}): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  const body = { iss: ISSUER, aud: AUDIENCE, sub: "mallory", tenant: "acme", roles: ["admin"], iat: T0, exp: T0 + 3600, ...claims };
  return `${part({ alg: "none", typ: "JWT" })}.${part(body)}.`;
}

/** An in-memory key store with the registry's VerifyApiKey semantics: the stored hash, revocation and expiry. */
export class KeyStore {
  readonly #keys = new Map<string, { key: ApiKey; hash: string }>();
  calls = 0;

  constructor(private readonly nowMs: () => number = () => T0 * 1000) {}

  /** Creates a key of `tenant` with `roles` (and `tier`); returns the token a client sends. */
  create(tenant: string, roles: readonly Role[], expireMs?: number, tier = ""): { token: string; id: string } {
    const fresh = newApiKey();
    const key = create(ApiKeySchema, { id: fresh.id, tenant, roles: [...roles], tier, ...(expireMs === undefined ? {} : { expireTime: timestampFromMs(expireMs) }) });
    this.#keys.set(fresh.id, { key, hash: hashApiKeySecret(fresh.secret) });
    return { token: fresh.token, id: fresh.id };
  }

  revoke(id: string): void {
    const entry = this.#keys.get(id);
    if (entry !== undefined) entry.key.revokeTime = timestampFromMs(this.nowMs());
  }

  /** The registry's check: undefined for an unknown, wrong, expired or revoked key. */
  readonly verify: ApiKeyVerifier = (token) => {
    this.calls += 1;
    const parsed = parseApiKey(token);
    const entry = parsed === undefined ? undefined : this.#keys.get(parsed.id);
    if (parsed === undefined || entry === undefined || !apiKeySecretMatches(parsed.secret, entry.hash)) return Promise.resolve(undefined);
    if (entry.key.revokeTime !== undefined) return Promise.resolve(undefined);
    const expire = entry.key.expireTime;
    if (expire !== undefined && Number(expire.seconds) * 1000 <= this.nowMs()) return Promise.resolve(undefined);
    return Promise.resolve(entry.key);
  };

  /** A verifier that answers every key as the store would, but without the store's own revocation and expiry checks. */
  readonly verifyLeniently: ApiKeyVerifier = (token) => {
    const parsed = parseApiKey(token);
    const entry = parsed === undefined ? undefined : this.#keys.get(parsed.id);
    return Promise.resolve(entry?.key);
  };
}
