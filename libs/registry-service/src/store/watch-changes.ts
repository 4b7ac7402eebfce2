import { toBigInt, type SqlDatabase } from "../storage/sql-database.js";
import { readChangesAfter, type LoggedChange, type ResourceKind } from "./change-log.js";
import type { ChangeFeed } from "./change-feed.js";
import { currentRevision } from "./revision.js";

/** One message of a watch stream, before it becomes a protobuf message. */
export interface ChangeBatch {
  /** True on the first message of a snapshot: the watcher replaces all its state with this and what follows. */
  readonly reset: boolean;
  /** True on the last message of a snapshot: the watcher now holds the whole state. */
  readonly snapshotComplete: boolean;
  /** The registry revision the watcher is up to after this message. */
  readonly revision: bigint;
  readonly changes: readonly LoggedChange[];
}

/** How large a watch message may grow. */
export interface BatchLimits {
  /** Changes per message (a revision with more changes is still sent whole). */
  readonly maxChanges: number;
  /** Approximate bytes of protobuf JSON per message. */
  readonly maxBytes: number;
}

/** What {@link watchChanges} reads from. */
export interface WatchSource {
  readonly db: SqlDatabase;
  readonly feed: ChangeFeed;
}

/**
 * Streams the resources of one kind: first the state, then every change as it commits, until `signal`
 * aborts.
 *
 * - `sinceRevision` 0 (or beyond the registry's revision, for example a revision of another database): a
 *   snapshot of every resource as PUTs, read in one consistent transaction at the registry's current
 *   revision R. A large snapshot is split: the first message has `reset: true`, the following ones
 *   `reset: false`, all at revision R, and the last has `snapshotComplete: true` (a one-message snapshot has
 *   both): the watcher's state is complete after it.
 * - `sinceRevision` N: every change after N, from the change log.
 *
 * Then it follows the change log: after each wake-up of the feed (a local commit, a NOTIFY from another
 * replica, or a poll) it reads what follows its cursor. The log is the one source: a wake-up carries no
 * data, so a watcher cannot miss or reorder a change, and a slow watcher only falls behind in the log —
 * writers never wait for it. Revisions commit in order (writers serialise on the revision counter), so
 * no change can later appear below the cursor.
 */
export async function* watchChanges(
  source: WatchSource,
  kind: ResourceKind,
  sinceRevision: bigint,
  signal: AbortSignal,
  limits: BatchLimits,
): AsyncGenerator<ChangeBatch> {
  let cursor = sinceRevision;
  try {
    if (sinceRevision <= 0n || sinceRevision > (await currentRevision(source.db))) {
      const snapshot = await readSnapshot(source.db, kind);
      yield* snapshotBatches(snapshot.revision, snapshot.changes, limits);
      cursor = snapshot.revision;
    }
    yield* follow(source, kind, cursor, signal, limits);
  } catch (error) {
    // A read cut short by the end of the watch (or of the store) is not an error of the watch.
    if (!signal.aborted) throw error;
  }
}

async function* follow(
  source: WatchSource,
  kind: ResourceKind,
  after: bigint,
  signal: AbortSignal,
  limits: BatchLimits,
): AsyncGenerator<ChangeBatch> {
  let cursor = after;
  while (!signal.aborted) {
    const seen = source.feed.version;
    const changes = await readChangesAfter(source.db, kind, cursor, limits.maxChanges);
    if (changes.length === 0) {
      await source.feed.wait(seen, signal);
      continue;
    }
    for (const batch of groupChanges(changes, limits)) {
      if (signal.aborted) return;
      yield batch;
    }
    cursor = changes[changes.length - 1]?.revision ?? cursor;
  }
}

interface Snapshot {
  readonly revision: bigint;
  readonly changes: readonly LoggedChange[];
}

/**
 * Every resource of a kind and the revision they are at, read in one REPEATABLE READ transaction. The rows
 * are read into memory so that the transaction ends before the first message is sent: a slow watcher must
 * not hold a connection (or, on PGlite, the only one).
 */
async function readSnapshot(db: SqlDatabase, kind: ResourceKind): Promise<Snapshot> {
  return db.transaction(async (tx) => {
    await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    const revision = await currentRevision(tx);
    const { rows } =
      kind === "model"
        ? await tx.query("SELECT revision, body FROM registry_models ORDER BY name, version")
        : await tx.query("SELECT revision, body FROM registry_policies ORDER BY name");
    const changes = rows.map((row) => ({ revision: toBigInt(row["revision"]), type: "PUT" as const, payload: row["body"] }));
    return { revision, changes };
  });
}

function* snapshotBatches(revision: bigint, changes: readonly LoggedChange[], limits: BatchLimits): Generator<ChangeBatch> {
  const parts = [...chunks(changes, limits, () => false)];
  if (parts.length === 0) parts.push([]);
  for (const [index, chunk] of parts.entries()) {
    yield { reset: index === 0, snapshotComplete: index === parts.length - 1, revision, changes: chunk };
  }
}

function* groupChanges(changes: readonly LoggedChange[], limits: BatchLimits): Generator<ChangeBatch> {
  for (const chunk of chunks(changes, limits, (prev, next) => prev.revision === next.revision)) {
    const last = chunk[chunk.length - 1];
    if (last !== undefined) yield { reset: false, snapshotComplete: false, revision: last.revision, changes: chunk };
  }
}

/** Splits changes into runs within the limits, never between two changes that `together` keeps together. */
function* chunks(
  changes: readonly LoggedChange[],
  limits: BatchLimits,
  together: (prev: LoggedChange, next: LoggedChange) => boolean,
): Generator<LoggedChange[]> {
  let current: LoggedChange[] = [];
  let bytes = 0;
  for (const change of changes) {
    const size = JSON.stringify(change.payload).length;
    const prev = current[current.length - 1];
    const full = current.length >= limits.maxChanges || (current.length > 0 && bytes + size > limits.maxBytes);
    if (prev !== undefined && full && !together(prev, change)) {
      yield current;
      current = [];
      bytes = 0;
    }
    current.push(change);
    bytes += size;
  }
  if (current.length > 0) yield current;
}
