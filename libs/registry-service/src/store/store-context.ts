import type { SqlDatabase, SqlExecutor } from "../storage/sql-database.js";
import type { ChangeFeed } from "./change-feed.js";
import type { RegistryQuotas } from "./quotas.js";
import { nextRevision } from "./revision.js";

/** The NOTIFY channel on which registry replicas sharing one PostgreSQL database announce commits. */
export const CHANGE_CHANNEL = "modelrouter_registry_changes";

/** What the store's operations share: the database, the watchers' wake-up feed, the clock and the quotas. */
export interface StoreContext {
  readonly db: SqlDatabase;
  readonly feed: ChangeFeed;
  /** The server clock, for create and update times. */
  readonly now: () => Date;
  /** How many model versions and policies the registry may hold. */
  readonly quotas: RegistryQuotas;
  /** How many revisions of one policy are kept (default `DEFAULT_POLICY_REVISIONS_KEPT`, 50). */
  readonly policyRevisionsKept?: number;
}

/**
 * Runs one registry write: a transaction that takes the next revision first (serialising writers), runs
 * `fn`, and on PostgreSQL sends a NOTIFY that is delivered at commit to the other replicas. After the
 * commit it wakes this process's watchers. When `fn` throws, the transaction (and its revision) rolls back.
 */
export async function runWrite<T>(
  ctx: StoreContext,
  fn: (tx: SqlExecutor, revision: bigint) => Promise<T>,
): Promise<T> {
  const result = await ctx.db.transaction(async (tx) => {
    const revision = await nextRevision(tx);
    const value = await fn(tx, revision);
    if (ctx.db.dialect === "postgres") {
      await tx.query("SELECT pg_notify($1, $2)", [CHANGE_CHANNEL, revision.toString()]);
    }
    return value;
  });
  ctx.feed.notify();
  return result;
}
