import { stat, readFile } from "node:fs/promises";
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";

/** Where a {@link JwksFile} reads (tests pass their own). */
export interface JwksFileSource {
  /** The file's content. */
  readonly read: () => Promise<string>;
  /** Something that changes when the file does (its modification time and size). */
  readonly version: () => Promise<string>;
}

/** A JWKS file's keys, reloaded when the file changes. */
export interface JwksFile {
  /** The key resolver for `jwtVerify`, over the current keys. */
  readonly getKey: JWTVerifyGetKey;
  /** Checks the file and reloads it if it changed; a file that no longer parses keeps the previous keys. */
  readonly refresh: () => Promise<void>;
}

/** The source of a JWKS file on disk. */
export function diskJwksSource(path: string): JwksFileSource {
  return {
    read: () => readFile(path, "utf8"),
    version: async () => {
      const info = await stat(path);
      return `${info.mtimeMs}:${info.size}`;
    },
  };
}

/**
 * Parses a JWKS document: an object with a `keys` array of public keys. Symmetric (`oct`) and private keys are
 * refused: modelrouter verifies only asymmetric signatures.
 *
 * @throws Error naming the problem (never a key's content).
 */
export function parseJwks(text: string, where: string): JSONWebKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not JSON: give a JSON Web Key Set, {"keys": [...]}`);
  }
  if (typeof parsed !== "object" || parsed === null || !Array.isArray((parsed as { keys?: unknown }).keys)) {
    throw new Error(`${where} has no "keys" array: give a JSON Web Key Set, {"keys": [...]}`);
  }
  const keys = (parsed as { keys: unknown[] }).keys;
  keys.forEach((key, index) => {
    if (typeof key !== "object" || key === null) throw new Error(`${where}: keys[${index}] is not an object`);
    const jwk = key as Record<string, unknown>;
    if (jwk["kty"] === "oct") throw new Error(`${where}: keys[${index}] is a shared secret (kty "oct"): only public RSA, EC or OKP keys are accepted`);
    if ("d" in jwk) throw new Error(`${where}: keys[${index}] is a private key: publish only the public part`);
  });
  return parsed as JSONWebKeySet;
}

/**
 * Loads a JWKS file; {@link JwksFile.refresh} reloads it when its version changes.
 *
 * @throws Error when the file cannot be read or is not a JWKS of public keys.
 */
export async function loadJwksFile(source: JwksFileSource, where: string): Promise<JwksFile> {
  let version = await source.version();
  let keys = createLocalJWKSet(parseJwks(await source.read(), where));
  return {
    getKey: (header, token) => keys(header, token),
    refresh: async () => {
      try {
        const current = await source.version();
        if (current === version) return;
        const next = createLocalJWKSet(parseJwks(await source.read(), where));
        version = current;
        keys = next;
      } catch {
        // A file being rewritten, or broken: keep verifying with the keys last loaded.
      }
    },
  };
}
