import { toBigInt, type SqlExecutor } from "../storage/sql-database.js";

/** What a change log entry is about. */
export type ResourceKind = "model" | "policy";

/** PUT: created or updated (the payload is the new state); DELETE: removed (the payload is the last state). */
export type ChangeKind = "PUT" | "DELETE";

/** One entry of the change log. */
export interface LoggedChange {
  readonly revision: bigint;
  readonly type: ChangeKind;
  /** The resource as protobuf JSON. */
  readonly payload: unknown;
}

/** A change to record in the transaction that makes it. */
export interface ChangeToLog {
  readonly revision: bigint;
  /** Orders the changes of one revision (0, 1, …). */
  readonly seq: number;
  readonly kind: ResourceKind;
  readonly type: ChangeKind;
  /** The resource's key: `name` for a policy, `name/version` for a model version. */
  readonly key: string;
  readonly payload: unknown;
}

/** Appends a change to the log. Call it in the write's transaction, so the log and the state never disagree. */
export async function appendChange(tx: SqlExecutor, change: ChangeToLog): Promise<void> {
  await tx.query(
    "INSERT INTO registry_changes (revision, seq, kind, type, key, payload) VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
    [change.revision.toString(), change.seq, change.kind, change.type, change.key, JSON.stringify(change.payload)],
  );
}

/**
 * The changes of one kind after a revision, oldest first, whole revisions only: about `limit` changes, more
 * when the last revision has more (a revision is never split, so a reader that stops after one is complete).
 */
export async function readChangesAfter(
  db: SqlExecutor,
  kind: ResourceKind,
  afterRevision: bigint,
  limit: number,
): Promise<LoggedChange[]> {
  const { rows } = await db.query(
    `SELECT revision, type, payload FROM registry_changes
      WHERE kind = $1 AND revision > $2::bigint AND revision <= COALESCE(
        (SELECT revision FROM registry_changes WHERE kind = $1 AND revision > $2::bigint
          ORDER BY revision, seq OFFSET $3 LIMIT 1),
        9223372036854775807)
      ORDER BY revision, seq`,
    [kind, afterRevision.toString(), Math.max(0, limit - 1)],
  );
  return rows.map((row) => ({
    revision: toBigInt(row["revision"]),
    type: row["type"] === "DELETE" ? "DELETE" : "PUT",
    payload: row["payload"],
  }));
}
