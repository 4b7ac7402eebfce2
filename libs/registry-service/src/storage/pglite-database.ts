import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { access, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { Logger } from "@modelrouter/telemetry";
import { LOCK_FILE_NAME, acquireDataDirLock, type DataDirLock } from "./data-dir-lock.js";
import { deserializeError, type PgliteAnswer, type PgliteQuestion } from "./pglite-protocol.js";
import type { SqlDatabase, SqlExecutor, SqlResult, SqlRow } from "./sql-database.js";

/** Written into a data directory once PGlite has initialised it: from then on it may hold acknowledged data. */
const INITIALIZED_MARKER = "modelrouter-initialized";

/**
 * PostgreSQL settings for an embedded registry. PostgreSQL's default 128 MB of shared buffers, touched by the
 * WebAssembly heap, put an idle registry at ~280 MB RSS; the registry's working set is a few MB.
 */
const EMBEDDED_SETTINGS = ["shared_buffers = 16MB", "wal_buffers = 1MB", "work_mem = 2MB", "maintenance_work_mem = 16MB"];

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
 *
 * On a data directory, PGlite runs in a worker thread of its own (`pglite-worker.ts`): its WebAssembly
 * PostgreSQL costs ~100 µs of CPU per recorded decision, which would otherwise be taken from the thread that
 * serves gRPC (co-located, the thread that routes every request). Statements and transactions cross to it as
 * messages. In memory (tests), it runs on this thread: each worker would compile PostgreSQL's WebAssembly again,
 * which made the registry's tests half as slow again.
 */
export async function openPgliteDatabase(options: PgliteDatabaseOptions = {}): Promise<SqlDatabase> {
  const { dataDir, logger } = options;
  if (dataDir === undefined) return inMemory(await PGlite.create());
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
      return await openInThread(dataDir, lock);
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

/**
 * The built worker entry, `dist/storage/pglite-worker.js`: tests that run this package from its TypeScript sources
 * (Jest maps workspace packages to `src/`) use the built one, since the default would name a source file.
 */
function pgliteWorkerUrl(): URL {
  const here = new URL(".", import.meta.url);
  const url = here.pathname.endsWith("/src/storage/") ? new URL("../../dist/storage/pglite-worker.js", here) : new URL("pglite-worker.js", here);
  if (!existsSync(fileURLToPath(url))) throw new Error(`${fileURLToPath(url)} is missing: build @modelrouter/registry-service first`);
  return url;
}

type Answered = Extract<PgliteAnswer, { ok: true }>;

/** Starts the PGlite thread on `dataDir` and returns the database it serves. */
async function openInThread(dataDir: string, lock: DataDirLock): Promise<SqlDatabase> {
  const worker = new Worker(pgliteWorkerUrl());
  const pending = new Map<number, { resolve: (answer: Answered) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let gone: Error | undefined;
  const failAll = (error: Error): void => {
    gone ??= error;
    for (const { reject } of pending.values()) reject(gone);
    pending.clear();
  };
  worker.on("message", (answer: PgliteAnswer) => {
    const waiting = pending.get(answer.id);
    if (waiting === undefined) return;
    pending.delete(answer.id);
    // An idle database does not keep the process alive, as PGlite on this thread would not.
    if (pending.size === 0) worker.unref();
    if (answer.ok) waiting.resolve(answer);
    else waiting.reject(deserializeError(answer.error));
  });
  worker.on("error", (error) => failAll(new Error(`the registry database's thread failed: ${error.message}`, { cause: error })));
  worker.on("exit", (code) => failAll(new Error(`the registry database's thread has ended (exit code ${code})`)));
  worker.unref();
  const askFor = (question: PgliteQuestion): Promise<Answered> =>
    new Promise((resolve, reject) => {
      if (gone !== undefined) return reject(gone);
      const id = nextId++;
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve, reject });
      try {
        worker.postMessage({ ...question, id });
      } catch (error) {
        // A parameter that cannot cross threads (a function, a class instance): this statement fails alone.
        pending.delete(id);
        if (pending.size === 0) worker.unref();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  try {
    await askFor({ type: "open", dataDir, settings: EMBEDDED_SETTINGS });
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  const executor = (tx?: number): SqlExecutor => ({
    async query<R extends SqlRow>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      const answer = await askFor({ type: "query", sql, params, ...(tx === undefined ? {} : { tx }) });
      return { rows: (answer.rows ?? []) as readonly R[] };
    },
  });
  const direct = executor();
  let closing: Promise<void> | undefined;
  return {
    dialect: "pglite",
    query: direct.query,
    async transaction(fn) {
      const { tx } = await askFor({ type: "begin" });
      if (tx === undefined) throw new Error("the registry database's thread opened no transaction");
      let result;
      try {
        result = await fn(executor(tx));
      } catch (error) {
        await askFor({ type: "end", tx, commit: false }).catch(() => undefined);
        throw error;
      }
      await askFor({ type: "end", tx, commit: true });
      return result;
    },
    close() {
      closing ??= (async () => {
        try {
          if (gone === undefined) await askFor({ type: "close" });
        } finally {
          await worker.terminate();
          await lock.release();
        }
      })();
      return closing;
    },
  };
}

/** An in-memory PGlite on this thread as a {@link SqlDatabase}. */
function inMemory(db: PGlite): SqlDatabase {
  const executor = (target: PGlite | Transaction): SqlExecutor => ({
    async query<R extends SqlRow>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      return { rows: (await target.query<R>(sql, [...params])).rows };
    },
  });
  return {
    dialect: "pglite",
    query: executor(db).query,
    transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
    close: async () => {
      if (!db.closed) await db.close();
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
