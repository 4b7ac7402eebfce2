import { type CredentialRef, formatCredentialRef, parseCredentialRef } from "./credential-ref.js";
import { Redacted } from "./redacted.js";

/** Where {@link readCredential} reads: the process's environment and a file reader, passed in. */
export interface CredentialSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (path: string) => Promise<string>;
}

/** A credential that cannot be read; its message names the reference, never a value. */
export class CredentialError extends Error {
  constructor(
    readonly ref: string,
    message: string,
  ) {
    super(`credential ${ref}: ${message}`);
    this.name = "CredentialError";
  }
}

/**
 * Reads the credential a reference points at (an `env:` variable or a `file:` path, given parsed or as text),
 * trimmed of surrounding white space, as a {@link Redacted} so that it never prints.
 *
 * @throws CredentialError when the reference is invalid, the variable unset or the value or file empty or
 *   unreadable (the cause of a read failure is kept: its message has the path, not the file's content).
 */
export async function readCredential(ref: CredentialRef | string, sources: CredentialSources): Promise<Redacted> {
  const parsed = typeof ref === "string" ? parseCredentialRef(ref) : { ref };
  if (parsed.ref === undefined) throw new CredentialError("(invalid reference)", parsed.problem ?? "invalid");
  const shown = formatCredentialRef(parsed.ref);
  let raw: string | undefined;
  if (parsed.ref.kind === "env") {
    raw = sources.env[parsed.ref.name];
    if (raw === undefined) throw new CredentialError(shown, `this process has no environment variable ${parsed.ref.name}: set it to the credential`);
  } else {
    try {
      raw = await sources.readFile(parsed.ref.path);
    } catch (cause) {
      const reason = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : "unreadable";
      throw new CredentialError(shown, `cannot read ${parsed.ref.path} (${reason}): mount the secret there, readable by this process`);
    }
  }
  const secret = raw.trim();
  if (secret === "") throw new CredentialError(shown, "is empty: put the credential there");
  return new Redacted(secret);
}
