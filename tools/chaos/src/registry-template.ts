import { createHash } from "node:crypto";
import { cp, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appStarter, createProcessGroup, freePort, repoRoot } from "@modelrouter/testing";

const REGISTRY_DIST = join(repoRoot, "libs", "registry-service", "dist");
const PGLITE_PACKAGE = join(repoRoot, "node_modules", "@electric-sql", "pglite", "package.json");

/**
 * Fills `dataDir` (which must not exist) with a PGlite data directory the registry has created, migrated and
 * closed cleanly, so that a scenario's registry opens it instead of creating a database (PGlite's initdb is most of
 * a fresh registry's start: 4× longer than opening one on this machine). The directory is made once per build of
 * the registry's code and PGlite version, by a real registry started and stopped with SIGTERM, and kept in the
 * system's temporary directory for the next runs.
 */
export async function copyInitializedRegistryDir(dataDir: string): Promise<void> {
  const template = join(tmpdir(), `modelrouter-chaos-registry-${await buildKey()}`);
  if (!(await exists(template))) await createTemplate(template);
  await cp(template, dataDir, { recursive: true });
}

async function createTemplate(template: string): Promise<void> {
  const building = `${template}.${process.pid}`;
  const group = createProcessGroup();
  try {
    await appStarter(group)("registry-template", "registry", {
      MODELROUTER_REGISTRY_LISTEN: `127.0.0.1:${await freePort()}`,
      MODELROUTER_REGISTRY_DATA_DIR: building,
      OTEL_SDK_DISABLED: "true",
    });
    await group.stopAll("SIGTERM", 20_000);
    // Another run may have made it meanwhile: either copy is as good.
    await rename(building, template).catch(async (error: unknown) => {
      if (!(await exists(template))) throw error;
    });
  } finally {
    await group.stopAll("SIGKILL").catch(() => undefined);
    await rm(building, { recursive: true, force: true });
  }
}

/** A hash of the registry's built code and the PGlite version: what decides the data directory's contents. */
async function buildKey(): Promise<string> {
  const hash = createHash("sha256");
  hash.update(await readFile(PGLITE_PACKAGE));
  const files = (await readdir(REGISTRY_DIST, { recursive: true })).filter((f) => f.endsWith(".js")).sort();
  for (const file of files) hash.update(file).update(await readFile(join(REGISTRY_DIST, file)));
  return hash.digest("hex").slice(0, 16);
}

const exists = (path: string) => stat(path).then(() => true, () => false);
