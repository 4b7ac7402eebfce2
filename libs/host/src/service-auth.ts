import { readFile } from "node:fs/promises";
import { createAuthenticator, createJwtVerifier, internalHeaders, readAuthSecrets, type ApiKeyVerifier, type AuthConfig, type JwtVerifier } from "@modelrouter/auth";
import type { Authenticator } from "@modelrouter/rpc-kit";

/** Where a process reads the credentials its settings refer to (`env:NAME`, `file:/path`). */
export interface CredentialReader {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (path: string) => Promise<string>;
}

/** The credentials of a process: its environment variables and its files. */
export function processCredentials(env: Readonly<Record<string, string | undefined>>): CredentialReader {
  return { env, readFile: (path) => readFile(path, "utf8") };
}

/** A service process's side of authentication, from its settings (see {@link loadServiceAuth}). */
export interface ServiceAuth {
  /** `on` or `off`, as `MODELROUTER_AUTH` says. */
  readonly mode: AuthConfig["mode"];
  /**
   * The headers the process sends on its calls to other modelrouter services (its name and the internal token);
   * undefined when authentication is off.
   */
  readonly internalHeaders: Readonly<Record<string, string>> | undefined;
  /**
   * The authenticator of the process's servers, checking API keys with `verifyApiKey` (without one, API keys are
   * refused); undefined when authentication is off, so that the servers run none (no cost per call).
   */
  authenticator(verifyApiKey?: ApiKeyVerifier): Authenticator | undefined;
}

/**
 * Reads the credentials the authentication settings refer to (the internal token, the admin token) and the JWT
 * issuer's keys once, at startup, for the service `serviceName` (the name its internal calls carry, such as
 * "router").
 *
 * @throws CredentialError naming a credential reference that cannot be read (never its value).
 */
export async function loadServiceAuth(config: AuthConfig, serviceName: string, reader: CredentialReader): Promise<ServiceAuth> {
  if (config.mode === "off") return { mode: "off", internalHeaders: undefined, authenticator: () => undefined };
  const secrets = await readAuthSecrets(config, reader);
  // readAuthConfig refuses mode "on" without an internal token; the check stands for a config made by hand.
  if (secrets.internalToken === undefined) throw new Error("MODELROUTER_INTERNAL_TOKEN is required when MODELROUTER_AUTH=on");
  const internalToken = secrets.internalToken.reveal();
  const adminToken = secrets.adminToken?.reveal();
  const verifyJwt: JwtVerifier | undefined = config.jwt === undefined ? undefined : await createJwtVerifier(config.jwt);
  return {
    mode: "on",
    internalHeaders: internalHeaders(serviceName, internalToken),
    authenticator: (verifyApiKey) => createAuthenticator({ mode: "on", internalToken, adminToken, verifyApiKey, verifyJwt }),
  };
}
