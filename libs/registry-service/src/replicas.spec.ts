import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { WatchModelsResponse } from "@modelrouter/contracts";
import { startPostgresCluster, type PostgresCluster } from "@modelrouter/testing";
import { nextAfterWrite, readStream, registryOn, uniqueName, validModel, type Registry, type StreamReader } from "./registry.test-support.js";
import { unsafeDurabilitySettings } from "./storage/durability.js";
import { applyMigrations, REGISTRY_MIGRATIONS } from "./storage/migrations.js";
import { openPostgresDatabase } from "./storage/postgres-database.js";
import { CHANGE_CHANNEL } from "./store/store-context.js";

/** Watchers here are woken by NOTIFY only: the safety-net poll is pushed out of the test's reach. */
const NO_POLL = { store: { pollIntervalMs: 3_600_000 } };

describe("registry replicas sharing one PostgreSQL database", () => {
  let cluster: PostgresCluster;
  let databases = 0;
  const open: Registry[] = [];

  beforeAll(async () => {
    cluster = await startPostgresCluster();
  }, 120_000);

  afterAll(async () => {
    for (const registry of open) await registry.close();
    await cluster?.stop();
  }, 60_000);

  const freshUrl = async (): Promise<string> => {
    const name = `replicas_${++databases}`;
    const admin = await openPostgresDatabase({ url: cluster.url });
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.close();
    return cluster.url.replace(/\/postgres$/, `/${name}`);
  };

  const replica = async (url: string): Promise<Registry> => {
    const registry = await registryOn((logger) => openPostgresDatabase({ url, logger }), NO_POLL);
    open.push(registry);
    return registry;
  };

  const watch = (registry: Registry): StreamReader<WatchModelsResponse> =>
    readStream((signal) => registry.client.watchModels({}, { signal, timeoutMs: 120_000 }));

  it("runs on a server that keeps every acknowledged commit (fsync, synchronous_commit, full_page_writes on)", async () => {
    const db = await openPostgresDatabase({ url: cluster.url });
    try {
      expect(await unsafeDurabilitySettings(db)).toEqual({});
    } finally {
      await db.close();
    }
  });

  it("migrates a new database once when replicas start together", async () => {
    const url = await freshUrl();
    const dbs = await Promise.all([1, 2, 3].map(() => openPostgresDatabase({ url })));
    try {
      const results = await Promise.all(dbs.map((db) => applyMigrations(db)));
      const newest = REGISTRY_MIGRATIONS.length;
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, newest]);
      expect(results.map((r) => r.version)).toEqual([newest, newest, newest]);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  }, 60_000);

  it("streams every replica's writes to the watchers of every other replica, in one order", async () => {
    const url = await freshUrl();
    const [a, b] = [await replica(url), await replica(url)];
    const watchA = watch(a);
    const watchB = watch(b);
    try {
      expect((await watchA.next()).reset).toBe(true);
      expect((await watchB.next()).reset).toBe(true);

      // Each write is made while both watchers wait: the other replica's watcher wakes by NOTIFY only.
      const parkedA = a.parked();
      const parkedB = b.parked();
      const nextA = watchA.next();
      const nextB = watchB.next();
      await Promise.all([parkedA, parkedB]);
      const onB = (await b.client.registerModel({ model: validModel({ name: uniqueName("b") }) })).model!;
      const describe = (m: WatchModelsResponse): string[] => m.changes.map((c) => `${c.model?.name} r${c.revision}`);
      expect(describe(await nextA)).toEqual([`${onB.name} r${onB.revision}`]);
      expect(describe(await nextB)).toEqual([`${onB.name} r${onB.revision}`]);

      const { message: seenByB, written: onA } = await nextAfterWrite(b, watchB, async () => {
        return (await a.client.registerModel({ model: validModel({ name: uniqueName("a") }) })).model!;
      });
      expect(describe(seenByB)).toEqual([`${onA.name} r${onA.revision}`]);
      expect(describe(await watchA.next())).toEqual([`${onA.name} r${onA.revision}`]);
    } finally {
      await watchA.close();
      await watchB.close();
    }
  }, 60_000);

  it("catches up after its notification connection drops, including the changes committed meanwhile", async () => {
    const url = await freshUrl();
    const [a, b] = [await replica(url), await replica(url)];
    const watchA = watch(a);
    try {
      await watchA.next();
      const parked = a.parked();
      const next = watchA.next();
      await parked;
      const database = new URL(url).pathname.slice(1);
      const admin = await openPostgresDatabase({ url: cluster.url });
      try {
        // Keep the replicas from reconnecting until the write below has committed, so that its
        // notification is certainly lost; the pooled connections that already exist stay usable.
        await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
        const { rows } = await admin.query(
          "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = $1 AND query = $2",
          [database, `LISTEN "${CHANGE_CHANNEL}"`],
        );
        expect(rows).toEqual([{ terminated: true }, { terminated: true }]);
        const written = (await b.client.registerModel({ model: validModel({ name: uniqueName() }) })).model!;
        await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
        const message = await next;
        expect(message.changes.map((c) => c.model?.name)).toEqual([written.name]);
      } finally {
        await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
        await admin.close();
      }
      expect(a.logs.join("\n")).toMatch(/notification connection failed/);
    } finally {
      await watchA.close();
    }
  }, 60_000);
});
