/** One row of a query result, keyed by column name. */
export type SqlRow = Readonly<Record<string, unknown>>;

/** The rows a statement returned. */
export interface SqlResult<R extends SqlRow = SqlRow> {
  readonly rows: readonly R[];
}

/** Runs SQL statements with `$1`-style parameters. */
export interface SqlExecutor {
  query<R extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
}

/** The storage engines the registry runs on. */
export type SqlDialect = "pglite" | "postgres";

/**
 * The registry's one storage interface: PostgreSQL semantics, whether embedded (PGlite) or a server.
 * Values come back as the driver parses them; read `bigint` columns through `toBigInt`, since PGlite
 * returns numbers and `pg` returns strings.
 */
export interface SqlDatabase extends SqlExecutor {
  readonly dialect: SqlDialect;
  /**
   * Runs `fn` in a transaction (READ COMMITTED): commits when it resolves, rolls back and rethrows when it
   * rejects.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Calls `listener` for every NOTIFY on `channel` sent by other connections, and also whenever
   * notifications may have been missed (after the listening connection was re-established), so that a
   * listener that re-reads state on every call misses nothing. Absent when the database has a single client
   * (PGlite), where in-process signals are enough.
   */
  listen?(channel: string, listener: () => void): Promise<() => Promise<void>>;
  /** Ends every connection; for PGlite also checkpoints and releases the data directory. */
  close(): Promise<void>;
}

/** Reads a PostgreSQL `bigint` value as the drivers return it (number, string or bigint). */
export function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  throw new TypeError(`not an integer column value: ${String(value)}`);
}
