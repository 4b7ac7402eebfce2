import { access, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { Logger } from "@modelrouter/telemetry";
import { LOCK_FILE_NAME, acquireDataDirLock, type DataDirLock } from "./data-dir-lock.js";
import type { SqlDatabase, SqlExecutor, SqlResult, SqlRow } from "./sql-database.js";

/** Written into a data directory once PGlite has initialised it: from then on it may hold acknowledged data. */
const INITIALIZED_MARKER = "modelrouter-initialized";

/** Options of {@link openPgliteDatabase}. */
export interface PgliteDatabaseOptions {
  /** The data directory. Absent: an in-memory database (for tests), gone on close. */
  readonly dataDir?: string;
  readonly logger?: Logger;
}

/**
 * Opens embedded PostgreSQL (PGlite) on a data directory, or in memory.
 *
 * The directory is locked first (see `acquireDataDirLock`): PGlite corrupts a directory opened by two
 * processes at once. A directory whose first initialisation was interrupted (killed during initdb, so it
 * never held data) is wiped and initialised again; a directory that was once initialised is never wiped.
 * `close()` checkpoints, closes PGlite and releases the lock.
 */
export async function openPgliteDatabase(options: PgliteDatabaseOptions = {}): Promise<SqlDatabase> {
  const { dataDir, logger } = options;
  if (dataDir === undefined) return wrap(await PGlite.create(), undefined);
  const lock = await acquireDataDirLock(dataDir);
  try {
    const db = await createOrRecover(dataDir, logger);
    await writeFile(join(dataDir, INITIALIZED_MARKER), new Date().toISOString(), { flag: "wx" }).catch(ignoreExisting);
    return wrap(db, lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function createOrRecover(dataDir: string, logger: Logger | undefined): Promise<PGlite> {
  try {
    return await PGlite.create({ dataDir });
  } catch (error) {
    if (await exists(join(dataDir, INITIALIZED_MARKER))) {
      throw new Error(`cannot open the registry database in ${dataDir}: ${describe(error)}`, { cause: error });
    }
    logger?.warn("the data directory was never fully initialised (interrupted first start): initialising it again", {
      dataDir,
      error,
    });
    for (const entry of await readdir(dataDir)) {
      if (entry !== LOCK_FILE_NAME) await rm(join(dataDir, entry), { recursive: true, force: true });
    }
    return PGlite.create({ dataDir });
  }
}

function executor(target: PGlite | Transaction): SqlExecutor {
  return {
    async query<R extends SqlRow>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      const result = await target.query<R>(sql, [...params]);
      return { rows: result.rows };
    },
  };
}

function wrap(db: PGlite, lock: DataDirLock | undefined): SqlDatabase {
  const direct = executor(db);
  let closing: Promise<void> | undefined;
  return {
    dialect: "pglite",
    query: direct.query,
    transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
    close() {
      closing ??= (async () => {
        try {
          if (!db.closed) {
            try {
              await db.query("CHECKPOINT");
            } finally {
              await db.close();
            }
          }
        } finally {
          await lock?.release();
        }
      })();
      return closing;
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function ignoreExisting(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
