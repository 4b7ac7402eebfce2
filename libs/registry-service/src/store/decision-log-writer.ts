import type { DecisionRecord } from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import type { Logger } from "@modelrouter/telemetry";
import type { SqlExecutor } from "../storage/sql-database.js";
import { upsertDecisions } from "./decision-store.js";

/** Options of {@link createDecisionLogWriter}. */
export interface DecisionLogWriterOptions {
  readonly db: SqlExecutor;
  readonly logger: Logger;
  /** Records held in memory at most; beyond, `enqueue` refuses with OVERLOADED. Default 10,000. */
  readonly maxBuffered?: number;
  /** How long a record may wait before its batch is written, in ms. Default 50. */
  readonly flushIntervalMs?: number;
  /** Records per statement at most. Default 500. */
  readonly maxBatch?: number;
}

/**
 * Writes decision records behind: `enqueue` accepts a record at once (a router's write is off its request's
 * critical path, and one decision per request is too many single-row transactions for an embedded database on
 * the serving thread), and a background flush writes the accepted records in batches, one statement each.
 * Reads of the log call `flush` first, so a replica always reads what it accepted. Records accepted but not yet
 * written are lost if the process dies (at most `flushIntervalMs` of them, like the asynchronous commit they
 * then get); a batch the database could not take is retried at the next flush, and one it refuses for its data is
 * written record by record, the refused records dropped and logged (a record the validation let through that the
 * database cannot store must not block the log).
 */
export interface DecisionLogWriter {
  /** @throws DomainError OVERLOADED when `maxBuffered` records are waiting (the database is down or slow). */
  enqueue(record: DecisionRecord): void;
  /** Writes every record accepted so far. Rejects if the database refuses them (they stay queued). */
  flush(): Promise<void>;
  /** Writes what is queued (once; failures are logged) and stops the timer. */
  close(): Promise<void>;
}

/**
 * Whether the database refused a statement for the data it carries (SQLSTATE class 22, data exception, such as a
 * character the encoding cannot hold; or 23, integrity constraint violation) rather than for being unavailable.
 */
function isDataError(error: unknown): boolean {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  return /^2[23]/.test(code);
}

/** Creates a {@link DecisionLogWriter}. */
export function createDecisionLogWriter(options: DecisionLogWriterOptions): DecisionLogWriter {
  const maxBuffered = options.maxBuffered ?? 10_000;
  const interval = options.flushIntervalMs ?? 50;
  const maxBatch = options.maxBatch ?? 500;
  let queue: DecisionRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  // A record the database refuses for its data is written alone and dropped, so that it cannot hold back the others.
  const writeEach = async (batch: readonly DecisionRecord[]): Promise<void> => {
    for (const record of batch) {
      try {
        await upsertDecisions(options.db, [record]);
      } catch (error) {
        if (!isDataError(error)) throw error;
        options.logger.error("decision record dropped: the database refuses its data", { requestId: record.requestId, error });
      }
    }
  };
  const writeAll = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      try {
        await upsertDecisions(options.db, batch);
      } catch (error) {
        if (!isDataError(error)) throw error;
        await writeEach(batch);
      }
      queue = queue.slice(batch.length);
    }
  };
  let chain: Promise<void> = Promise.resolve();
  // One writer at a time: a flush asked for during a write waits for it, then writes what came since.
  const flush = (): Promise<void> => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    const next = chain.catch(() => undefined).then(writeAll);
    chain = next;
    return next;
  };
  const schedule = (): void => {
    if (timer !== undefined || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush().catch((error: unknown) => {
        options.logger.warn("could not write decision records; retrying", { queued: queue.length, error });
        schedule();
      });
    }, interval);
    timer.unref();
  };

  return {
    enqueue(record) {
      if (queue.length >= maxBuffered) {
        throw new DomainError(
          ErrorReason.OVERLOADED,
          `the decision log has ${queue.length} records waiting to be written; try again later`,
          { metadata: { queued: String(queue.length) } },
        );
      }
      queue.push(record);
      if (queue.length >= maxBatch) void flush().catch(() => schedule());
      else schedule();
    },
    flush,
    async close() {
      closed = true;
      await flush().catch((error: unknown) =>
        options.logger.error("decision records lost at close: the database refused them", { lost: queue.length, error }),
      );
    },
  };
}
