import { spawn } from "node:child_process";
import { access, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { Logger } from "@modelrouter/telemetry";
import { LOCK_FILE_NAME, acquireDataDirLock, type DataDirLock } from "./data-dir-lock.js";
import type { SqlDatabase, SqlExecutor, SqlResult, SqlRow } from "./sql-database.js";

/** Written into a data directory once PGlite has initialised it: from then on it may hold acknowledged data. */
const INITIALIZED_MARKER = "modelrouter-initialized";

/**
 * PostgreSQL settings for an embedded registry. PostgreSQL's default 128 MB of shared buffers, touched by the
 * WebAssembly heap, put an idle registry at ~280 MB RSS; the registry's working set is a few MB.
 */
const EMBEDDED_SETTINGS = ["shared_buffers = 16MB", "wal_buffers = 1MB", "work_mem = 2MB", "maintenance_work_mem = 16MB"];

function create(dataDir: string): Promise<PGlite> {
  return PGlite.create({ dataDir, postgresqlconf: EMBEDDED_SETTINGS });
}

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
    if (!(await exists(join(dataDir, INITIALIZED_MARKER)))) {
      const entries = (await readdir(dataDir)).filter((entry) => entry !== LOCK_FILE_NAME);
      if (entries.length > 0) {
        logger?.warn("the data directory was never fully initialised (interrupted first start): initialising it again", { dataDir });
        for (const entry of entries) await rm(join(dataDir, entry), { recursive: true, force: true });
      }
      await initializeInChildProcess(dataDir);
      await writeFile(join(dataDir, INITIALIZED_MARKER), new Date().toISOString(), { flag: "wx" }).catch(ignoreExisting);
    }
    try {
      return wrap(await create(dataDir), lock);
    } catch (error) {
      throw new Error(`cannot open the registry database in ${dataDir}: ${describe(error)}`, { cause: error });
    }
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/**
 * Runs PostgreSQL's initdb for a new data directory in a short-lived child process. In this process it would
 * leave ~650 MB of WebAssembly memory behind for good (measured: an idle registry at ~800 MB RSS instead of
 * ~150 MB).
 */
async function initializeInChildProcess(dataDir: string): Promise<void> {
  const pglite = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  const script = `const { PGlite } = require(process.argv[1]);
    PGlite.create({ dataDir: process.argv[2], postgresqlconf: ${JSON.stringify(EMBEDDED_SETTINGS)} })
      .then((db) => db.close())
      .then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });`;
  const stderr: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", script, pglite, dataDir], { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (code !== 0) {
    throw new Error(`initialising the registry database in ${dataDir} failed (exit ${code}): ${stderr.join("").slice(-2000)}`);
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
