/** Where a process reads a credential (an endpoint credential, the internal or admin token): an environment variable, or a file (a mounted secret). */
export type CredentialRef = { readonly kind: "env"; readonly name: string } | { readonly kind: "file"; readonly path: string };

/** The longest credential reference accepted, in characters. */
export const MAX_CREDENTIAL_REF_LENGTH = 1024;

/** The result of {@link parseCredentialRef}. */
export type CredentialRefParse =
  | { readonly ref: CredentialRef; readonly problem?: undefined }
  | { readonly ref?: undefined; readonly problem: string };

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const HOW = "store the secret in an environment variable of the process that reads it, or in a file it can read, and give env:NAME or file:/path";

/**
 * Parses a credential reference: `env:NAME` (NAME of upper-case letters, digits and underscores, not starting
 * with a digit) or `file:/absolute/path` (no `..` segment, no control character). The problem sentences never
 * repeat the text, which may be a secret given by mistake.
 */
export function parseCredentialRef(text: string): CredentialRefParse {
  if (text.length > MAX_CREDENTIAL_REF_LENGTH) {
    return { problem: `is longer than ${MAX_CREDENTIAL_REF_LENGTH} characters: it must be a reference, never the credential; ${HOW}` };
  }
  if (text.startsWith("env:")) {
    const name = text.slice(4);
    if (!ENV_NAME.test(name)) {
      return { problem: "is env: with an invalid variable name: give env:NAME, NAME of upper-case letters, digits and underscores (for example env:TRITON_TOKEN)" };
    }
    return { ref: { kind: "env", name } };
  }
  if (text.startsWith("file:")) {
    const path = text.slice(5);
    if (!path.startsWith("/") || path.startsWith("//")) {
      return { problem: "is file: without an absolute path: give file:/path, for example file:/var/run/secrets/triton/token" };
    }
    if (path.split("/").some((segment) => segment === "..")) return { problem: "is a file: path with a .. segment: give the file's absolute path without .." };
    if (/[\u0000-\u001f\u007f]/.test(path)) return { problem: "is a file: path with a control character: remove it" };
    return { ref: { kind: "file", path } };
  }
  return { problem: `is not a credential reference (never give the credential itself): ${HOW}` };
}

/** The problem sentence of {@link parseCredentialRef}, or undefined when the reference is valid. */
export function credentialRefProblem(text: string): string | undefined {
  return parseCredentialRef(text).problem;
}

/** Writes a reference back as text (`env:NAME` or `file:/path`). */
export function formatCredentialRef(ref: CredentialRef): string {
  return ref.kind === "env" ? `env:${ref.name}` : `file:${ref.path}`;
}
