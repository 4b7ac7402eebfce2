import { inspect } from "node:util";
import { describe, expect, it } from "@jest/globals";
import { CredentialError, Redacted, credentialRefProblem, parseCredentialRef, readCredential } from "./index.js";

const SECRET = "s3cr3t-token-value";

describe("parseCredentialRef", () => {
  it("reads env:NAME and file:/absolute/path", () => {
    expect(parseCredentialRef("env:TRITON_TOKEN").ref).toEqual({ kind: "env", name: "TRITON_TOKEN" });
    expect(parseCredentialRef("env:_X1").ref).toEqual({ kind: "env", name: "_X1" });
    expect(parseCredentialRef("file:/var/run/secrets/triton/token").ref).toEqual({ kind: "file", path: "/var/run/secrets/triton/token" });
  });

  it.each([
    ["env:=x", "invalid variable name"],
    ["env:triton_token", "invalid variable name"],
    ["env:1TOKEN", "invalid variable name"],
    ["env:TOKEN-X", "invalid variable name"],
    ["file:relative/token", "absolute path"],
    ["file://host/token", "absolute path"],
    ["file:/var/run/../../etc/shadow", ".. segment"],
    ["file:/var/run/tok\nen", "control character"],
    ["Bearer abc.def", "not a credential reference"],
    [SECRET, "not a credential reference"],
    [`env:${"A".repeat(2000)}`, "longer than 1024 characters"],
  ])("refuses %j, saying %s and never repeating it", (text, fragment) => {
    const problem = credentialRefProblem(text);
    expect(problem).toContain(fragment);
    expect(problem).not.toContain(text);
  });

  it("tells someone who gives a secret to store it in an env var or a file and reference it", () => {
    expect(credentialRefProblem(SECRET)).toBe(
      "is not a credential reference (never give the credential itself): store the secret in an environment variable of the " +
        "process that reads it, or in a file it can read, and give env:NAME or file:/path",
    );
  });
});

describe("readCredential", () => {
  const noFiles = async (path: string): Promise<string> => {
    throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
  };

  it("reads an environment variable, trimmed", async () => {
    const secret = await readCredential("env:TRITON_TOKEN", { env: { TRITON_TOKEN: ` ${SECRET}\n` }, readFile: noFiles });
    expect(secret.reveal()).toBe(SECRET);
  });

  it("reads a file when asked, trimmed", async () => {
    const files: Record<string, string> = { "/run/secrets/token": `${SECRET}\n` };
    const secret = await readCredential({ kind: "file", path: "/run/secrets/token" }, { env: {}, readFile: async (path) => files[path]! });
    expect(secret.reveal()).toBe(SECRET);
  });

  it("fails with the reference and the fix, never a value, when the variable is unset, empty or the file unreadable", async () => {
    await expect(readCredential("env:MISSING", { env: {}, readFile: noFiles })).rejects.toThrow(
      new CredentialError("env:MISSING", "this process has no environment variable MISSING: set it to the credential"),
    );
    await expect(readCredential("env:BLANK", { env: { BLANK: "  \n" }, readFile: noFiles })).rejects.toThrow("credential env:BLANK: is empty");
    await expect(readCredential("file:/run/secrets/gone", { env: {}, readFile: noFiles })).rejects.toThrow(
      "credential file:/run/secrets/gone: cannot read /run/secrets/gone (ENOENT): mount the secret there",
    );
    await expect(readCredential(SECRET, { env: {}, readFile: noFiles })).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(SECRET) }) as unknown as Error,
    );
  });
});

describe("Redacted", () => {
  it("never prints its value: not as a string, in JSON, through inspect, or inside other objects", () => {
    const secret = new Redacted(SECRET);
    const printed = [
      String(secret),
      `${secret}`,
      `Bearer ${secret}`,
      JSON.stringify({ secret }),
      inspect(secret),
      inspect({ nested: { secret } }, { depth: 5, showHidden: true }),
      Object.keys(secret).join(","),
    ];
    for (const text of printed) expect(text).not.toContain(SECRET);
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}');
    expect(inspect(secret)).toBe("[redacted]");
    expect(secret.reveal()).toBe(SECRET);
  });
});
