import pg from "pg";
import type { Logger } from "@modelrouter/telemetry";
import type { SqlDatabase, SqlResult, SqlRow } from "./sql-database.js";

/** Options of {@link openPostgresDatabase}. */
export interface PostgresDatabaseOptions {
  /** A PostgreSQL connection URL, for example `postgres://registry:secret@db:5432/registry`. */
  readonly url: string;
  /** The size of the connection pool. Default 10. */
  readonly maxConnections?: number;
  readonly logger?: Logger;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/**
 * Connects to a PostgreSQL server through a `pg` connection pool. `listen` holds one extra connection per
 * channel, re-established with backoff when it drops.
 *
 * @throws the connection error when the server cannot be reached.
 */
export async function openPostgresDatabase(options: PostgresDatabaseOptions): Promise<SqlDatabase> {
  const { url, logger } = options;
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10 });
  // An idle client's connection error is reported here; without a listener it would crash the process.
  pool.on("error", (error) => logger?.warn("an idle PostgreSQL connection failed", { error }));
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end();
    throw error;
  }
  const listeners = new Set<() => Promise<void>>();
  let closing: Promise<void> | undefined;

  return {
    dialect: "postgres",
    query: (sql, params) => runQuery(pool, sql, params),
    async transaction(fn) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query("BEGIN");
        const result = await fn({ query: (sql, params) => runQuery(client, sql, params) });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async listen(channel, listener) {
      const stop = await startListener({ url, channel, listener, logger });
      const unlisten = async (): Promise<void> => {
        listeners.delete(unlisten);
        await stop();
      };
      listeners.add(unlisten);
      return unlisten;
    },
    close() {
      closing ??= (async () => {
        await Promise.all([...listeners].map((unlisten) => unlisten()));
        await pool.end();
      })();
      return closing;
    },
  };
}

async function runQuery<R extends SqlRow>(
  target: pg.Pool | pg.PoolClient,
  sql: string,
  params: readonly unknown[] = [],
): Promise<SqlResult<R>> {
  const result = await target.query<R>(sql, [...params]);
  return { rows: result.rows };
}

interface ListenerOptions {
  readonly url: string;
  readonly channel: string;
  readonly listener: () => void;
  readonly logger: Logger | undefined;
}

/**
 * Keeps one connection LISTENing on a channel. When the connection drops, it reconnects with exponential
 * backoff and then calls the listener once, since notifications sent meanwhile are lost.
 */
async function startListener(options: ListenerOptions): Promise<() => Promise<void>> {
  const { url, channel, listener, logger } = options;
  let stopped = false;
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let delay = RECONNECT_MIN_MS;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on("notification", (message) => {
      if (message.channel === channel) listener();
    });
    next.on("error", (error) => {
      logger?.warn("the PostgreSQL notification connection failed; reconnecting", { channel, error });
      scheduleReconnect(next);
    });
    next.on("end", () => scheduleReconnect(next));
    client = next;
    await next.connect();
    await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
  };

  const scheduleReconnect = (failed: pg.Client): void => {
    if (stopped || client !== failed || retryTimer !== undefined) return;
    client = undefined;
    failed.end().catch(() => undefined);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().then(
        () => {
          delay = RECONNECT_MIN_MS;
          listener();
        },
        (error: unknown) => {
          logger?.warn("cannot re-establish the PostgreSQL notification connection", { channel, error, retryInMs: delay });
          delay = Math.min(delay * 2, RECONNECT_MAX_MS);
          const current = client;
          if (current !== undefined) scheduleReconnect(current);
        },
      );
    }, delay);
    retryTimer.unref();
  };

  try {
    await connect();
  } catch (error) {
    stopped = true;
    await client?.end().catch(() => undefined);
    throw error;
  }
  return async () => {
    stopped = true;
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    const current = client;
    client = undefined;
    await current?.end().catch(() => undefined);
  };
}
