import type { SqlExecutor } from "./sql-database.js";

/** The PostgreSQL settings without which a committed write may be lost or the database corrupted. */
export const DURABILITY_SETTINGS = ["fsync", "synchronous_commit", "full_page_writes"] as const;

/**
 * The durability settings of a PostgreSQL server that are not `on` (for example `{ fsync: "off" }`); empty
 * when the server keeps every acknowledged commit. `synchronous_commit` also accepts the stronger
 * `remote_apply`, `remote_write` and `local`.
 */
export async function unsafeDurabilitySettings(db: SqlExecutor): Promise<Record<string, string>> {
  const { rows } = await db.query("SELECT name, setting FROM pg_settings WHERE name = ANY($1::text[])", [
    [...DURABILITY_SETTINGS],
  ]);
  const unsafe: Record<string, string> = {};
  for (const row of rows) {
    const name = String(row["name"]);
    const setting = String(row["setting"]);
    const safe = name === "synchronous_commit" ? ["on", "remote_apply", "remote_write", "local"].includes(setting) : setting === "on";
    if (!safe) unsafe[name] = setting;
  }
  return unsafe;
}
