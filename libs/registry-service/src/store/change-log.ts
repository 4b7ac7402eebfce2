import { toBigInt, type SqlExecutor } from "../storage/sql-database.js";

/** What a change log entry is about. */
export type ResourceKind = "model" | "policy";

/** PUT: created or updated (the payload is the new state); DELETE: removed (only the key is kept). */
export type ChangeKind = "PUT" | "DELETE";

/** One entry of the change log. */
export interface LoggedChange {
  readonly revision: bigint;
  readonly type: ChangeKind;
  /** The resource's key: `name` for a policy, `name/version` for a model version. */
  readonly key: string;
  /**
   * A PUT's resource as protobuf JSON; null for a DELETE, which is known by its key alone (the log keeps
   * only the key's fields of a DELETE; an older registry logged the whole last state, which is not read).
   */
  readonly payload: unknown;
}

/** A change to record in the transaction that makes it. */
export type ChangeToLog = {
  readonly revision: bigint;
  /** Orders the changes of one revision (0, 1, …). */
  readonly seq: number;
  readonly kind: ResourceKind;
  /** The resource's key: `name` for a policy, `name/version` for a model version. */
  readonly key: string;
} & ({ readonly type: "PUT"; readonly payload: unknown } | { readonly type: "DELETE" });

/**
 * Appends a change to the log. Call it in the write's transaction, so the log and the state never disagree.
 * A DELETE is logged with its key only: what a watcher needs to forget the resource, whatever its size was.
 */
export async function appendChange(tx: SqlExecutor, change: ChangeToLog): Promise<void> {
  const payload = change.type === "PUT" ? change.payload : keyFields(change.kind, change.key);
  await tx.query(
    "INSERT INTO registry_changes (revision, seq, kind, type, key, payload) VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
    [change.revision.toString(), change.seq, change.kind, change.type, change.key, JSON.stringify(payload)],
  );
}

/** The identifying fields of a resource key: `{ name }` for a policy, `{ name, version }` for a model version. */
export function keyFields(kind: ResourceKind, key: string): { name: string; version?: string } {
  if (kind === "policy") return { name: key };
  const slash = key.indexOf("/");
  return slash < 0 ? { name: key, version: "" } : { name: key.slice(0, slash), version: key.slice(slash + 1) };
}

/**
 * The changes of one kind after a revision, oldest first, whole revisions only: about `limit` changes, more
 * when the last revision has more (a revision is never cut, so a reader that stops after one is complete).
 */
export async function readChangesAfter(
  db: SqlExecutor,
  kind: ResourceKind,
  afterRevision: bigint,
  limit: number,
): Promise<LoggedChange[]> {
  const { rows } = await db.query(
    `SELECT revision, type, key, CASE WHEN type = 'PUT' THEN payload END AS payload FROM registry_changes
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
    key: String(row["key"]),
    payload: row["payload"],
  }));
}
