import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, EnvReader } from "@modelrouter/config";
import type { CredentialSources } from "@modelrouter/egress";
import { readRegistryConfig } from "../registry-component.js";
import { resolveRegistryDatabase } from "./database-url-reference.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "registry-db-url-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sources = (env: Record<string, string> = {}): CredentialSources => ({ env, readFile: (path) => readFile(path, "utf8") });

describe("MODELROUTER_REGISTRY_DATABASE_URL by reference", () => {
  it("keeps file:/path and env:NAME as references, read only when the registry starts", () => {
    const fromFile = new EnvReader({ MODELROUTER_REGISTRY_DATABASE_URL: "file:/run/secrets/registry-database/url" });
    expect(readRegistryConfig(fromFile, "/srv").database).toEqual({ kind: "postgres-url-reference", ref: { kind: "file", path: "/run/secrets/registry-database/url" } });
    fromFile.done();
    const fromEnv = new EnvReader({ MODELROUTER_REGISTRY_DATABASE_URL: "env:REGISTRY_DB" });
    expect(readRegistryConfig(fromEnv, "/srv").database).toEqual({ kind: "postgres-url-reference", ref: { kind: "env", name: "REGISTRY_DB" } });
    fromEnv.done();
  });

  it("refuses an invalid reference or another URL at startup, naming the variable and what to give", () => {
    const relative = new EnvReader({ MODELROUTER_REGISTRY_DATABASE_URL: "file:secrets/url" });
    readRegistryConfig(relative, "/srv");
    expect(() => relative.done()).toThrow(ConfigError);
    expect(() => relative.done()).toThrow(/MODELROUTER_REGISTRY_DATABASE_URL is file: without an absolute path/);
    const mysql = new EnvReader({ MODELROUTER_REGISTRY_DATABASE_URL: "mysql://db/registry" });
    readRegistryConfig(mysql, "/srv");
    expect(() => mysql.done()).toThrow(/MODELROUTER_REGISTRY_DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL, or env:NAME or file:\/path/);
  });

  it("reads the URL from the file (a mounted secret, trimmed) or the variable it names", async () => {
    const file = join(dir, "url");
    writeFileSync(file, "postgresql://registry:s3cret@db:5432/registry\n");
    await expect(resolveRegistryDatabase({ kind: "postgres-url-reference", ref: { kind: "file", path: file } }, sources())).resolves.toEqual({
      kind: "postgres",
      url: "postgresql://registry:s3cret@db:5432/registry",
    });
    await expect(
      resolveRegistryDatabase({ kind: "postgres-url-reference", ref: { kind: "env", name: "REGISTRY_DB" } }, sources({ REGISTRY_DB: "postgres://db/r" })),
    ).resolves.toEqual({ kind: "postgres", url: "postgres://db/r" });
  });

  it("fails the start naming the reference, never the value, when it is missing or holds something else", async () => {
    const missing = join(dir, "absent");
    await expect(resolveRegistryDatabase({ kind: "postgres-url-reference", ref: { kind: "file", path: missing } }, sources())).rejects.toThrow(
      `credential file:${missing}: cannot read ${missing} (ENOENT): mount the secret there, readable by this process`,
    );
    const wrong = join(dir, "wrong");
    writeFileSync(wrong, "mysql://root:hunter2@db/registry");
    const refused = resolveRegistryDatabase({ kind: "postgres-url-reference", ref: { kind: "file", path: wrong } }, sources());
    await expect(refused).rejects.toThrow(`credential file:${wrong}: holds no postgres:// or postgresql:// URL: put the registry database's URL there (MODELROUTER_REGISTRY_DATABASE_URL)`);
    await expect(refused.catch((error: Error) => error.message)).resolves.not.toContain("hunter2");
  });

  it("leaves a URL given in clear and the embedded store as they are", async () => {
    await expect(resolveRegistryDatabase({ kind: "postgres", url: "postgres://db/r" }, undefined)).resolves.toEqual({ kind: "postgres", url: "postgres://db/r" });
    await expect(resolveRegistryDatabase({ kind: "pglite", dataDir: "/d" }, undefined)).resolves.toEqual({ kind: "pglite", dataDir: "/d" });
  });
});
