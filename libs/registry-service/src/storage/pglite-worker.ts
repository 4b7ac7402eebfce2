/**
 * The entry of the PGlite thread (compiled to `dist/storage/pglite-worker.js`): it opens embedded PostgreSQL and
 * runs the statements and transactions the registry's thread sends. PostgreSQL's work (WebAssembly, its files)
 * then never runs on the thread that serves gRPC: co-located, that thread also routes every request.
 *
 * @packageDocumentation
 */
import { parentPort } from "node:worker_threads";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { serializeError, type PgliteAnswer, type PgliteRequest } from "./pglite-protocol.js";

const port = parentPort;
if (port === null) throw new Error("pglite-worker.js runs in a worker thread started by openPgliteDatabase");

interface OpenTransaction {
  tx?: Transaction;
  /** Ends PGlite's transaction callback: resolved, it commits; rejected, it rolls back. */
  finish?: (commit: boolean) => void;
  /** Settles when PGlite has committed or rolled back. */
  ended?: Promise<void>;
}

let db: PGlite | undefined;
let nextTx = 1;
const transactions = new Map<number, OpenTransaction>();
const answer = (message: PgliteAnswer): void => port.postMessage(message);
const ROLLED_BACK = new Error("rolled back");

function database(): PGlite {
  if (db === undefined) throw new Error("the database is not open");
  return db;
}

/** Opens a transaction that stays open, holding PGlite's lock, until {@link end} is asked for it. */
function begin(): Promise<number> {
  const id = nextTx++;
  const entry: OpenTransaction = {};
  return new Promise((resolve, reject) => {
    entry.ended = database()
      .transaction(
        (tx) =>
          new Promise<void>((commit, rollback) => {
            entry.tx = tx;
            entry.finish = (ok) => (ok ? commit() : rollback(ROLLED_BACK));
            transactions.set(id, entry);
            resolve(id);
          }),
      )
      .finally(() => transactions.delete(id));
    // A transaction that could not begin rejects before it was announced (a later rejection is end's to report).
    entry.ended.catch((error: unknown) => {
      if (entry.tx === undefined) reject(error);
    });
  });
}

async function end(id: number, commit: boolean): Promise<void> {
  const entry = transactions.get(id);
  if (entry?.finish === undefined) throw new Error(`no open transaction ${id}`);
  entry.finish(commit);
  try {
    await entry.ended;
  } catch (error) {
    if (error !== ROLLED_BACK) throw error;
  }
}

async function handle(request: PgliteRequest): Promise<PgliteAnswer> {
  switch (request.type) {
    case "open":
      db = await PGlite.create({ dataDir: request.dataDir, postgresqlconf: [...request.settings] });
      return { id: request.id, ok: true };
    case "query": {
      const target = request.tx === undefined ? database() : transactions.get(request.tx)?.tx;
      if (target === undefined) throw new Error(`no open transaction ${request.tx}`);
      const result = await target.query<Record<string, unknown>>(request.sql, [...request.params]);
      return { id: request.id, ok: true, rows: result.rows };
    }
    case "begin":
      return { id: request.id, ok: true, tx: await begin() };
    case "end":
      await end(request.tx, request.commit);
      return { id: request.id, ok: true };
    case "close": {
      const open = db;
      if (open !== undefined && !open.closed) {
        try {
          await open.query("CHECKPOINT");
        } finally {
          await open.close();
        }
      }
      return { id: request.id, ok: true };
    }
  }
}

port.on("message", (request: PgliteRequest) => {
  handle(request).then(answer, (error: unknown) => answer({ id: request.id, ok: false, error: serializeError(error) }));
});
