import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Model } from "@modelrouter/contracts";
import { startPostgresCluster, type PostgresCluster } from "@modelrouter/testing";
import { registryOn } from "../registry.test-support.js";
import { openPgliteDatabase } from "../storage/pglite-database.js";
import { openPostgresDatabase } from "../storage/postgres-database.js";
import type { SqlDatabase } from "../storage/sql-database.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const CYCLES = 3;

interface Acknowledged {
  readonly name: string;
  readonly revision: bigint;
}

/**
 * Runs the crash writer until it has had `acks` writes acknowledged, then kills it with SIGKILL in the middle
 * of its next write, and returns what was acknowledged.
 */
async function writeThenKill(args: readonly string[], acks: number): Promise<Acknowledged[]> {
  const child = spawn(process.execPath, ["--import", join(here, "register-ts-loader.mjs"), join(here, "crash-writer.test-support.ts"), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const acknowledged: Acknowledged[] = [];
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        const [word, name, revision] = line.split(" ");
        if (word === "ack" && name !== undefined && revision !== undefined) acknowledged.push({ name, revision: BigInt(revision) });
        if (acknowledged.length >= acks) {
          child.kill("SIGKILL");
          resolve();
        }
      }
    });
    child.once("exit", (code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`the writer exited early (code ${code}): ${stderr}`));
    });
  });
  await exited;
  return acknowledged;
}

describe.each(["pglite", "postgres"] as const)("kill -9 of a registry writing on %s", (driver) => {
  let root: string;
  let cluster: PostgresCluster | undefined;
  let target: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "registry-crash-"));
    if (driver === "pglite") target = join(root, "data");
    else {
      cluster = await startPostgresCluster();
      target = cluster.url;
    }
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await rm(root, { recursive: true, force: true });
  }, 60_000);

  const open = (): Promise<SqlDatabase> =>
    driver === "pglite" ? openPgliteDatabase({ dataDir: target }) : openPostgresDatabase({ url: target });

  it(`loses no acknowledged write and repeats none, over ${CYCLES} kills and restarts`, async () => {
    const all: Acknowledged[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const acks = 5 + Math.floor(Math.random() * 40);
      const acknowledged = await writeThenKill([driver, target, `crash-${cycle}`], acks);
      expect(acknowledged.length).toBeGreaterThanOrEqual(acks);
      all.push(...acknowledged);

      const registry = await registryOn(open);
      try {
        const stored: Model[] = [];
        let token = "";
        do {
          const page = await registry.client.listModels({ pageSize: 500, pageToken: token });
          stored.push(...page.models);
          token = page.nextPageToken;
        } while (token !== "");
        const byName = new Map(stored.map((model) => [model.name, model.revision]));
        for (const ack of all) expect([ack.name, byName.get(ack.name)]).toEqual([ack.name, ack.revision]);
        const revisions = stored.map((model) => model.revision);
        expect(new Set(revisions).size).toBe(revisions.length);
        // At most the one write in flight at the kill may have committed without its acknowledgement.
        expect(stored.length - all.length).toBeGreaterThanOrEqual(0);
        expect(stored.length - all.length).toBeLessThanOrEqual(cycle + 1);
      } finally {
        await registry.close();
      }
    }
  }, 180_000);
});
