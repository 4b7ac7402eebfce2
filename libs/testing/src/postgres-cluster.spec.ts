import { access } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pg from "pg";
import { startPostgresCluster, type PostgresCluster } from "./postgres-cluster.js";

describe("startPostgresCluster", () => {
  let cluster: PostgresCluster;
  let client: pg.Client;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
  }, 120_000);

  afterAll(async () => {
    await client?.end();
    await cluster?.stop();
  }, 60_000);

  it("serves PostgreSQL 15 on 127.0.0.1 at the URL it returns", async () => {
    expect(cluster.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const { rows } = await client.query<{ version: string }>("SELECT current_setting('server_version_num') AS version");
    expect(rows[0]?.version).toMatch(/^15\d{4}$/);
  });

  it("keeps the durability settings on (fsync, synchronous_commit, full_page_writes)", async () => {
    const { rows } = await client.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes') ORDER BY name",
    );
    expect(rows).toEqual([
      { name: "fsync", setting: "on" },
      { name: "full_page_writes", setting: "on" },
      { name: "synchronous_commit", setting: "on" },
    ]);
  });

  it("starts independent clusters side by side; a stopped one no longer accepts connections", async () => {
    const second = await startPostgresCluster();
    try {
      expect(second.url).not.toBe(cluster.url);
      const other = new pg.Client({ connectionString: second.url });
      await other.connect();
      await other.query("CREATE TABLE only_here (id int)");
      await other.end();
      await expect(client.query("SELECT * FROM only_here")).rejects.toThrow(/does not exist/);
    } finally {
      await second.stop();
    }
    const probe = new pg.Client({ connectionString: second.url, connectionTimeoutMillis: 2_000 });
    await expect(probe.connect()).rejects.toThrow();
    await probe.end().catch(() => undefined);
  }, 120_000);
});

describe("startPostgresCluster cleanup", () => {
  it("leaves no directory behind after stop", async () => {
    const cluster = await startPostgresCluster();
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    const { rows } = await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir");
    await client.end();
    const dataDir = rows[0]!.dir;
    await access(dataDir);
    await cluster.stop();
    await expect(access(dataDir)).rejects.toThrow(/ENOENT/);
  }, 120_000);
});
