import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RegistryService } from "@modelrouter/contracts";
import { createDirectClient, isRpcError, type CallerIdentity, type RpcError, type ServiceClient } from "@modelrouter/rpc-kit";
import { createLogger, type Logger } from "@modelrouter/telemetry";
import { startPostgresCluster } from "@modelrouter/testing";
import pg from "pg";
import { serviceAs } from "./access/as-identity.js";
import { createRegistryService, type RegistryServiceOptions } from "./registry-service.js";
import { openPgliteDatabase } from "./storage/pglite-database.js";
import { openPostgresDatabase } from "./storage/postgres-database.js";
import type { SqlDatabase, SqlExecutor, SqlRow } from "./storage/sql-database.js";
import { openRegistryStore, type RegistryStore, type RegistryStoreOptions } from "./store/registry-store.js";

export { manyLabels, onnxOf, validDecision, validModel, validPolicy } from "./fixtures.test-support.js";

/** A registry client as clients see it (errors are RpcErrors), over the service and store it calls. */
export interface Registry {
  readonly client: ServiceClient<typeof RegistryService>;
  /** A client whose every call the service sees as made by `identity` (as an authenticator would set it). */
  clientAs(identity: CallerIdentity): ServiceClient<typeof RegistryService>;
  readonly store: RegistryStore;
  /** The store's database, for writing what no request can (rows of an older registry). */
  readonly db: SqlDatabase;
  readonly logs: string[];
  /**
   * Resolves when a watcher of this registry next reads the change log and finds nothing new. From then on
   * only a wake-up (a local commit, a NOTIFY, a reconnect) makes it read again: call it before pulling
   * the next message, and write after it resolves, to test that the write wakes the watcher.
   */
  parked(): Promise<void>;
  close(): Promise<void>;
}

/** The storage engines every behaviour is specified against. */
export type Driver = "pglite" | "postgres";

/** Where a driver keeps its databases for one spec file: a PGlite directory root, or a PostgreSQL cluster. */
export interface Backend {
  readonly driver: Driver;
  /** Opens a registry on this backend's shared database (the same one every time). */
  open(options?: OpenOptions): Promise<Registry>;
  /** Opens a registry on a database of its own, empty at first. */
  openFresh(options?: OpenOptions): Promise<Registry>;
  stop(): Promise<void>;
}

/** Options of a test registry. */
export interface OpenOptions {
  readonly store?: Partial<
    Pick<
      RegistryStoreOptions,
      | "now"
      | "pollIntervalMs"
      | "decisionRetentionMs"
      | "decisionPruneIntervalMs"
      | "decisionPruneBatchSize"
      | "quotas"
      | "policyRevisionsKept"
      | "statsRetentionMs"
      | "maxStatsRows"
    >
  >;
  readonly service?: Partial<Pick<RegistryServiceOptions, "watchLimits" | "egress">>;
}

/** A logger that keeps its lines, for assertions and quiet test output. */
export function memoryLogger(lines: string[]): Logger {
  return createLogger({ service: "registry-test", level: "debug", write: (line) => lines.push(line) });
}

/**
 * Opens a database (given the registry's logger), wires a store on it into the service and a direct client,
 * as co-located callers use it.
 */
export async function registryOn(
  openDatabase: (logger: Logger) => Promise<SqlDatabase>,
  options: OpenOptions = {},
): Promise<Registry> {
  const logs: string[] = [];
  const logger = memoryLogger(logs);
  const observed = observeChangeLogReads(await openDatabase(logger));
  const store = await openRegistryStore({ db: observed.db, logger, ...options.store });
  const impl = createRegistryService({ store, logger, ...options.service });
  const client = createDirectClient(RegistryService, impl, { defaultTimeoutMs: 60_000 });
  const clientAs = (identity: CallerIdentity) => createDirectClient(RegistryService, serviceAs(impl, identity), { defaultTimeoutMs: 60_000 });
  return { client, clientAs, store, db: observed.db, logs, parked: observed.nextEmptyRead, close: () => store.close() };
}

/** Wraps a database to report reads of the change log that return nothing. */
function observeChangeLogReads(db: SqlDatabase): { db: SqlDatabase; nextEmptyRead: () => Promise<void> } {
  const waiting: (() => void)[] = [];
  const observe =
    (executor: SqlExecutor): SqlExecutor["query"] =>
    async <R extends SqlRow>(sql: string, params?: readonly unknown[]) => {
      const result = await executor.query<R>(sql, params);
      if (/FROM registry_changes/.test(sql) && result.rows.length === 0) for (const wake of waiting.splice(0)) wake();
      return result;
    };
  return {
    db: { ...db, query: observe(db), transaction: (fn) => db.transaction((tx) => fn({ query: observe(tx) })) },
    nextEmptyRead: () => new Promise<void>((resolve) => waiting.push(resolve)),
  };
}

/** A backend on PGlite: one shared data directory, and fresh ones on demand, all under one temp dir. */
export async function pgliteBackend(): Promise<Backend> {
  const root = await mkdtemp(join(tmpdir(), "registry-pglite-"));
  let fresh = 0;
  return {
    driver: "pglite",
    open: (options) => registryOn((logger) => openPgliteDatabase({ dataDir: join(root, "shared"), logger }), options),
    openFresh: (options) => {
      const dataDir = join(root, `fresh-${fresh++}`);
      return registryOn((logger) => openPgliteDatabase({ dataDir, logger }), options);
    },
    stop: () => rm(root, { recursive: true, force: true }),
  };
}

/** A backend on a throwaway PostgreSQL cluster: one shared database, and fresh ones on demand. */
export async function postgresBackend(): Promise<Backend> {
  const cluster = await startPostgresCluster();
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query("CREATE DATABASE registry_shared");
  let fresh = 0;
  const urlOf = (database: string): string => cluster.url.replace(/\/postgres$/, `/${database}`);
  return {
    driver: "postgres",
    open: (options) => registryOn((logger) => openPostgresDatabase({ url: urlOf("registry_shared"), logger }), options),
    async openFresh(options) {
      const name = `registry_fresh_${fresh++}`;
      await admin.query(`CREATE DATABASE ${name}`);
      return registryOn((logger) => openPostgresDatabase({ url: urlOf(name), logger }), options);
    },
    async stop() {
      await admin.end();
      await cluster.stop();
    },
  };
}

/** Opens the backend of a driver. */
export function backendFor(driver: Driver): Promise<Backend> {
  return driver === "pglite" ? pgliteBackend() : postgresBackend();
}

let unique = 0;

/** A model name no other test uses, so that tests sharing a database do not see each other's models. */
export function uniqueName(prefix = "m"): string {
  unique += 1;
  return `${prefix}-${process.pid}-${unique}`;
}

/** The RpcError a call failed with (fails the test when it succeeded or failed otherwise). */
export async function rpcErrorOf(call: Promise<unknown>): Promise<RpcError> {
  try {
    await call;
  } catch (error) {
    if (isRpcError(error)) return error;
    throw error;
  }
  throw new Error("the call succeeded, but it was expected to fail");
}

/** Reads a stream message by message; `close()` cancels the call. */
export interface StreamReader<T> {
  /** The next message; rejects when none arrives within `guardMs` (a hang guard, not a timing assertion). */
  next(guardMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** Starts reading a server stream. */
export function readStream<T>(open: (signal: AbortSignal) => AsyncIterable<T>): StreamReader<T> {
  const controller = new AbortController();
  const iterator = open(controller.signal)[Symbol.asyncIterator]();
  return {
    async next(guardMs = 20_000) {
      let timer: NodeJS.Timeout | undefined;
      const guard = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no stream message within ${guardMs} ms`)), guardMs);
      });
      try {
        const result = await Promise.race([iterator.next(), guard]);
        if (result.done === true) throw new Error("the stream ended");
        return result.value;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      controller.abort();
      await iterator.return?.();
    },
  };
}

/**
 * Pulls the next message of a watch after its watcher has found nothing new and waits for a wake-up, and
 * makes `write` only then: the message arrives only if the write wakes the watcher.
 */
export async function nextAfterWrite<T, W>(
  watched: Registry,
  watch: StreamReader<T>,
  write: () => Promise<W>,
): Promise<{ message: T; written: W }> {
  const parked = watched.parked();
  const next = watch.next();
  await Promise.race([parked, next]);
  const written = await write();
  return { message: await next, written };
}
