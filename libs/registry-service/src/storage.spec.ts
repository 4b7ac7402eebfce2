import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { startPostgresCluster, type PostgresCluster } from "@modelrouter/testing";
import { memoryLogger, registryOn, uniqueName, validDecision, validModel, validPolicy } from "./registry.test-support.js";
import { DataDirLockedError } from "./storage/data-dir-lock.js";
import { applyMigrations, REGISTRY_MIGRATIONS } from "./storage/migrations.js";
import { openPgliteDatabase } from "./storage/pglite-database.js";
import { openPostgresDatabase } from "./storage/postgres-database.js";
import type { SqlDatabase } from "./storage/sql-database.js";
import { createChangeFeed } from "./store/change-feed.js";
import { MODEL_COLUMNS, MODEL_PLACEHOLDERS, modelRowValues } from "./store/model-rows.js";
import { policyDigest } from "./store/policy-revisions.js";
import { policyToJson } from "./store/policy-store.js";
import { DEFAULT_QUOTAS } from "./store/quotas.js";
import { openRegistryStore, type RegistryStore } from "./store/registry-store.js";
import { runWrite } from "./store/store-context.js";

describe("the PGlite data directory", () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "registry-storage-"));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("keeps models, policies and the revision across a close and a reopen", async () => {
    const dataDir = join(root, "durable");
    const first = await registryOn((logger) => openPgliteDatabase({ dataDir, logger }));
    const name = uniqueName();
    const model = (await first.client.registerModel({ model: validModel({ name }) })).model!;
    const policy = (await first.client.applyPolicy({ policy: validPolicy(uniqueName("policy"), name) })).policy!;
    await first.close();

    const second = await registryOn((logger) => openPgliteDatabase({ dataDir, logger }));
    try {
      expect((await second.client.getModel({ name, version: "1" })).model).toEqual(model);
      expect((await second.client.getPolicy({ name: policy.name })).policy).toEqual(policy);
      expect(await second.store.revision()).toBe(policy.revision);
      const next = (await second.client.registerModel({ model: validModel({ name, version: "2" }) })).model!;
      expect(next.revision).toBe(policy.revision + 1n);
    } finally {
      await second.close();
    }
  }, 60_000);

  it("cannot be opened twice: the second open fails with a clear error until the first closes", async () => {
    const dataDir = join(root, "locked");
    const db = await openPgliteDatabase({ dataDir });
    await expect(openPgliteDatabase({ dataDir })).rejects.toThrow(DataDirLockedError);
    await expect(openPgliteDatabase({ dataDir })).rejects.toThrow(/is in use by process \d+ .* Two processes must never open one PGlite data directory/);
    await db.close();
    const reopened = await openPgliteDatabase({ dataDir });
    await reopened.close();
  }, 60_000);

  it("initialises again a directory whose first start was interrupted (it never held data)", async () => {
    const dataDir = join(root, "interrupted");
    await mkdir(join(dataDir, "base"), { recursive: true });
    await writeFile(join(dataDir, "PG_VERSION"), "17\n");
    const logs: string[] = [];
    const db = await openPgliteDatabase({ dataDir, logger: memoryLogger(logs) });
    try {
      const { rows } = await db.query("SELECT 1 AS one");
      expect(rows).toEqual([{ one: 1 }]);
      expect(logs.join("\n")).toMatch(/never fully initialised/);
    } finally {
      await db.close();
    }
  }, 60_000);

  it("never wipes a directory that was initialised once, even when it cannot be opened", async () => {
    const dataDir = join(root, "damaged");
    await (await openPgliteDatabase({ dataDir })).close();
    await writeFile(join(dataDir, "PG_VERSION"), "7\n");
    await expect(openPgliteDatabase({ dataDir })).rejects.toThrow(/cannot open the registry database/);
    expect(await readFile(join(dataDir, "PG_VERSION"), "utf8")).toBe("7\n");
    // The failed open released the lock: a retry fails the same way, not as "in use".
    await expect(openPgliteDatabase({ dataDir })).rejects.toThrow(/cannot open the registry database/);
  }, 60_000);

  it("runs statements in its own thread as on this one: rows, a refusal's SQLSTATE, and transactions that commit or roll back", async () => {
    const db = await openPgliteDatabase({ dataDir: join(root, "thread") });
    try {
      await db.query("CREATE TABLE t (id integer PRIMARY KEY, at timestamptz, body jsonb)");
      const at = new Date("2026-12-07T10:00:00Z");
      await db.query("INSERT INTO t VALUES ($1, $2, $3)", [1, at, JSON.stringify({ a: [1, "x"] })]);
      const refusal = await db.query("INSERT INTO t VALUES (1, now(), '{}')").then(() => undefined, (error: unknown) => error as { code?: string; message: string });
      await db.transaction(async (tx) => {
        await tx.query("INSERT INTO t VALUES (2, now(), '{}')");
      });
      const thrown = await db
        .transaction(async (tx) => {
          await tx.query("INSERT INTO t VALUES (3, now(), '{}')");
          throw new Error("changed my mind");
        })
        .catch((error: unknown) => (error as Error).message);
      const rows = await db.query<{ id: number; at: Date; body: unknown }>("SELECT id, at, body FROM t ORDER BY id");
      // A Date from another thread is of Node's realm, not the test's: compare its time.
      const read = rows.rows.map((row) => ({ ...row, at: row.at.toISOString() }));
      expect({ refusal: { code: refusal?.code, message: refusal?.message }, thrown, rows: read }).toEqual({
        refusal: { code: "23505", message: expect.stringContaining("duplicate key") },
        thrown: "changed my mind",
        rows: [
          { id: 1, at: at.toISOString(), body: { a: [1, "x"] } },
          { id: 2, at: expect.stringMatching(/^\d{4}-/), body: {} },
        ],
      });
    } finally {
      await db.close();
    }
  }, 60_000);
});

describe.each(["pglite", "postgres"] as const)("the schema on %s", (driver) => {
  let cluster: PostgresCluster | undefined;
  let root: string;
  let count = 0;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "registry-schema-"));
    if (driver === "postgres") cluster = await startPostgresCluster();
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await rm(root, { recursive: true, force: true });
  }, 60_000);

  /** A new database; on PostgreSQL through a pool of `maxConnections` (default 10). */
  const freshDatabase = async (maxConnections?: number): Promise<SqlDatabase> => {
    count++;
    if (cluster === undefined) return openPgliteDatabase({ dataDir: join(root, `db-${count}`) });
    const admin = await openPostgresDatabase({ url: cluster.url });
    await admin.query(`CREATE DATABASE schema_${count}`);
    await admin.close();
    const url = cluster.url.replace(/\/postgres$/, `/schema_${count}`);
    return openPostgresDatabase(maxConnections === undefined ? { url } : { url, maxConnections });
  };

  it("applies each migration once, and refuses a database with a newer schema", async () => {
    const db = await freshDatabase();
    try {
      expect(await applyMigrations(db)).toEqual({ applied: [1, 2, 3, 4, 5, 6, 7], version: 7 });
      expect(await applyMigrations(db)).toEqual({ applied: [], version: 7 });
      await expect(applyMigrations(db, [])).rejects.toThrow(/schema version 7, newer than this registry knows \(0\)/);
    } finally {
      await db.close();
    }
  }, 60_000);

  it("rolls back a migration that fails, leaving no part of it", async () => {
    const db = await freshDatabase();
    try {
      const broken = { version: 99, name: "broken", statements: ["CREATE TABLE half_done (id int)", "SELECT * FROM missing_table"] };
      await expect(applyMigrations(db, [...REGISTRY_MIGRATIONS, broken])).rejects.toThrow(/missing_table/);
      const { rows } = await db.query("SELECT to_regclass('registry_models') AS models, to_regclass('half_done') AS half");
      expect(rows).toEqual([{ models: null, half: null }]);
    } finally {
      await db.close();
    }
  }, 60_000);

  it("brings an existing version 1 database to the newest version, keeping its models and revision", async () => {
    const db = await freshDatabase();
    const logs: string[] = [];
    let store: RegistryStore | undefined;
    try {
      expect(await applyMigrations(db, REGISTRY_MIGRATIONS.filter((m) => m.version === 1))).toEqual({ applied: [1], version: 1 });
      const ctx = { db, feed: createChangeFeed(), now: () => new Date(), quotas: DEFAULT_QUOTAS };
      const model = await runWrite(ctx, async (tx, revision) => {
        const now = new Date();
        const stored = validModel({ name: uniqueName(), revision, createTime: timestampFromDate(now), updateTime: timestampFromDate(now) });
        await tx.query(`INSERT INTO registry_models (${MODEL_COLUMNS}) VALUES (${MODEL_PLACEHOLDERS})`, modelRowValues(stored, now, now));
        return stored;
      });

      store = await openRegistryStore({ db, logger: memoryLogger(logs) });
      expect(logs.join("\n")).toMatch(/"applied a registry schema migration".*"version":2/);
      expect(await store.getModel(model.name, "1")).toEqual(model);
      expect(await store.revision()).toBe(model.revision);
      const record = validDecision({ requestId: uniqueName("req") });
      await store.recordDecision(record);
      expect(await store.getDecision(record.requestId)).toEqual(record);
      expect(await applyMigrations(db)).toEqual({ applied: [], version: 7 });
    } finally {
      if (store === undefined) await db.close();
      else await store.close();
    }
  }, 60_000);

  it("starts the history of a policy stored before revisions were kept with its current body", async () => {
    const db = await freshDatabase();
    let store: RegistryStore | undefined;
    try {
      await applyMigrations(db, REGISTRY_MIGRATIONS.filter((m) => m.version <= 2));
      const policy = validPolicy(uniqueName("policy"), "digits-lowres", { revision: 7n });
      const body = JSON.stringify(policyToJson(policy));
      await db.query(
        "INSERT INTO registry_policies (name, create_time, update_time, revision, body) VALUES ($1, now(), now(), 7, $2::jsonb)",
        [policy.name, body],
      );

      store = await openRegistryStore({ db, logger: memoryLogger([]) });
      const { items } = await store.listPolicyRevisions(policy.name, { size: 10 });
      expect(items.map((r) => [r.revision, r.appliedBy, r.digest])).toEqual([[7n, "", policyDigest(policy)]]);
      expect(await store.getPolicy(policy.name, 7n)).toEqual(policy);
    } finally {
      if (store === undefined) await db.close();
      else await store.close();
    }
  }, 60_000);

  it("turns synchronous commit off for a decision's write only: the connection's registry writes stay durable", async () => {
    const db = await freshDatabase(1);
    const store = await openRegistryStore({ db, logger: memoryLogger([]) });
    try {
      await store.recordDecision(validDecision({ requestId: uniqueName("req") }));
      expect((await db.query("SHOW synchronous_commit")).rows).toEqual([{ synchronous_commit: "on" }]);
      const model = await store.registerModel(validModel({ name: uniqueName() }));
      expect(await store.getModel(model.name, "1")).toEqual(model);
    } finally {
      await store.close();
    }
  }, 60_000);

  it("keeps the change log append-only", async () => {
    const db = await freshDatabase();
    const store = await openRegistryStore({ db, logger: memoryLogger([]) });
    try {
      await store.registerModel(validModel({ name: uniqueName() }));
      await expect(db.query("UPDATE registry_changes SET type = 'DELETE'")).rejects.toThrow(/append-only/);
      await expect(db.query("DELETE FROM registry_changes")).rejects.toThrow(/append-only/);
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe("PostgreSQL durability settings", () => {
  it("warns at startup when the server may lose acknowledged writes (fsync off)", async () => {
    const cluster = await startPostgresCluster({ settings: { fsync: "off", synchronous_commit: "off" } });
    try {
      const logs: string[] = [];
      const store = await openRegistryStore({ db: await openPostgresDatabase({ url: cluster.url }), logger: memoryLogger(logs) });
      await store.close();
      const warning = logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line["level"] === "warn");
      expect(warning).toMatchObject({ settings: { fsync: "off", synchronous_commit: "off" } });
    } finally {
      await cluster.stop();
    }
  }, 120_000);
});
