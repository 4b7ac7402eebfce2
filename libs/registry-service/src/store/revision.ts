import { toBigInt, type SqlExecutor } from "../storage/sql-database.js";

/**
 * Increments the registry revision and returns the new value. Call it first in every write transaction: the
 * row lock it takes is held until commit, so writers queue here and commit in revision order.
 */
export async function nextRevision(tx: SqlExecutor): Promise<bigint> {
  const { rows } = await tx.query("UPDATE registry_revision SET revision = revision + 1 RETURNING revision");
  return toBigInt(rows[0]?.["revision"]);
}

/** The revision of the last committed write (0 for an empty registry). */
export async function currentRevision(db: SqlExecutor): Promise<bigint> {
  const { rows } = await db.query("SELECT revision FROM registry_revision");
  return toBigInt(rows[0]?.["revision"]);
}
