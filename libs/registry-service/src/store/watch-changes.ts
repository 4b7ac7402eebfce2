import { toBigInt, type SqlDatabase } from "../storage/sql-database.js";
import { readChangesAfter, type LoggedChange, type ResourceKind } from "./change-log.js";
import type { ChangeFeed } from "./change-feed.js";
import { modelKey } from "./model-rows.js";
import { currentRevision } from "./revision.js";

/** One message of a watch stream, before it becomes a protobuf message. */
export interface ChangeBatch<T> {
  /** True on the first message of a snapshot: the watcher replaces all its state with this and what follows. */
  readonly reset: boolean;
  /** True on the last message of a snapshot: the watcher now holds the whole state. */
  readonly snapshotComplete: boolean;
  /**
   * The registry revision the watcher is up to after this message: it has received every change up to it.
   * A revision whose changes do not fit in one message is sent in several: the messages before its last
   * carry the revision before it, so their changes of it are above `revision` (the rest follows), and a
   * watcher that reconnects from `revision` receives that revision whole again.
   */
  readonly revision: bigint;
  readonly changes: readonly T[];
}

/** How large a watch message may grow. */
export interface BatchLimits {
  /** Changes per message; live, a revision with more changes is still sent in one message if its bytes fit. */
  readonly maxChanges: number;
  /** Encoded bytes per message at most, as the {@link ChangeEncoding} counts them. */
  readonly maxBytes: number;
}

/** A change as it is sent, and the bytes it adds to a message. */
export interface EncodedChange<T> {
  readonly item: T;
  readonly bytes: number;
}

/** How changes become the items of a message: given by the service, which knows the wire format. */
export interface ChangeEncoding<T> {
  /** The bytes of a message's fields other than its changes, at their largest. */
  readonly messageBytes: number;
  /**
   * The change as sent in a message with room for `budget` bytes of changes, and the bytes it adds there.
   * A change that does not fit the budget (or cannot be read) must be withheld, so that no message is ever
   * larger than a watcher accepts: then this returns what stands for it — undefined in a snapshot
   * (`inSnapshot`: the resource is left out), a DELETE of its key in the live stream (so that a watcher drops
   * an earlier state of it), undefined when not even that fits — and reports it.
   */
  encode(change: LoggedChange, budget: number, inSnapshot: boolean): EncodedChange<T> | undefined;
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
 *
 * No message has more than `limits.maxChanges` changes or `limits.maxBytes` bytes as `encoding` counts
 * them, whatever is stored: a resource too large for a message is withheld (see {@link ChangeEncoding}),
 * and the others still flow.
 */
export async function* watchChanges<T>(
  source: WatchSource,
  kind: ResourceKind,
  sinceRevision: bigint,
  signal: AbortSignal,
  limits: BatchLimits,
  encoding: ChangeEncoding<T>,
): AsyncGenerator<ChangeBatch<T>> {
  const packer = new Packer(limits, encoding);
  let cursor = sinceRevision;
  try {
    if (sinceRevision <= 0n || sinceRevision > (await currentRevision(source.db))) {
      const snapshot = await readSnapshot(source.db, kind);
      yield* packer.snapshot(snapshot.revision, snapshot.changes);
      cursor = snapshot.revision;
    }
    yield* follow(source, kind, cursor, signal, limits, packer);
  } catch (error) {
    // A read cut short by the end of the watch (or of the store) is not an error of the watch.
    if (!signal.aborted) throw error;
  }
}

async function* follow<T>(
  source: WatchSource,
  kind: ResourceKind,
  after: bigint,
  signal: AbortSignal,
  limits: BatchLimits,
  packer: Packer<T>,
): AsyncGenerator<ChangeBatch<T>> {
  let cursor = after;
  while (!signal.aborted) {
    const seen = source.feed.version;
    const changes = await readChangesAfter(source.db, kind, cursor, limits.maxChanges);
    if (changes.length === 0) {
      await source.feed.wait(seen, signal);
      continue;
    }
    for (const batch of packer.live(cursor, changes)) {
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
        ? await tx.query("SELECT name, version, revision, body FROM registry_models ORDER BY name, version")
        : await tx.query("SELECT name, revision, body FROM registry_policies ORDER BY name");
    const changes = rows.map((row) => ({
      revision: toBigInt(row["revision"]),
      type: "PUT" as const,
      key: kind === "model" ? modelKey({ name: String(row["name"]), version: String(row["version"]) }) : String(row["name"]),
      payload: row["body"],
    }));
    return { revision, changes };
  });
}

/**
 * Packs encoded changes into messages within the limits: a snapshot into as many messages as it needs; live
 * changes in revision order, `maxChanges` ending a message only between revisions (a revision with more
 * changes is sent whole) and `maxBytes` anywhere (a revision larger than a message is cut, see
 * {@link ChangeBatch}).
 */
class Packer<T> {
  readonly #maxChanges: number;
  readonly #budget: number;

  constructor(
    limits: BatchLimits,
    private readonly encoding: ChangeEncoding<T>,
  ) {
    this.#maxChanges = Math.max(1, limits.maxChanges);
    this.#budget = limits.maxBytes - encoding.messageBytes;
  }

  *snapshot(revision: bigint, changes: readonly LoggedChange[]): Generator<ChangeBatch<T>> {
    let pending: T[] | undefined;
    let first = true;
    const batch = (items: T[], complete: boolean): ChangeBatch<T> => {
      const reset = first;
      first = false;
      return { reset, snapshotComplete: complete, revision, changes: items };
    };
    for (const items of this.#runs(changes, true)) {
      if (pending !== undefined) yield batch(pending, false);
      pending = items.map(({ item }) => item);
    }
    yield batch(pending ?? [], true);
  }

  *live(after: bigint, changes: readonly LoggedChange[]): Generator<ChangeBatch<T>> {
    // `complete`: the highest revision every change of which is in a message sent or being filled.
    let complete = after;
    let last: bigint | undefined;
    let current: T[] = [];
    let bytes = 0;
    let sent = false;
    for (const change of changes) {
      const boundary = change.revision !== last;
      if (last !== undefined && boundary) complete = last;
      last = change.revision;
      const encoded = this.encoding.encode(change, this.#budget, false);
      if (encoded === undefined) continue;
      // The change count only ends a message between revisions; the byte budget, if need be, within one.
      const full = (boundary && current.length >= this.#maxChanges) || bytes + encoded.bytes > this.#budget;
      if (current.length > 0 && full) {
        yield { reset: false, snapshotComplete: false, revision: complete, changes: current };
        sent = true;
        current = [];
        bytes = 0;
      }
      current.push(encoded.item);
      bytes += encoded.bytes;
    }
    // After a message that stopped inside a revision, always finish at the last one (even with no change left).
    if (last !== undefined && (current.length > 0 || sent)) {
      yield { reset: false, snapshotComplete: false, revision: last, changes: current };
    }
  }

  *#runs(changes: readonly LoggedChange[], inSnapshot: boolean): Generator<EncodedChange<T>[]> {
    let current: EncodedChange<T>[] = [];
    let bytes = 0;
    for (const change of changes) {
      const encoded = this.encoding.encode(change, this.#budget, inSnapshot);
      if (encoded === undefined) continue;
      if (current.length > 0 && (current.length >= this.#maxChanges || bytes + encoded.bytes > this.#budget)) {
        yield current;
        current = [];
        bytes = 0;
      }
      current.push(encoded);
      bytes += encoded.bytes;
    }
    if (current.length > 0) yield current;
  }
}
