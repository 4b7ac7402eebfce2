import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { DecisionRecordSchema, RequestFactsSchema } from "@modelrouter/contracts";
import { isDomainError } from "@modelrouter/errors";
import { createLogger } from "@modelrouter/telemetry";
import { applyMigrations } from "../storage/migrations.js";
import { openPgliteDatabase } from "../storage/pglite-database.js";
import type { SqlDatabase } from "../storage/sql-database.js";
import { createDecisionLogWriter } from "./decision-log-writer.js";
import { findDecision } from "./decision-store.js";

const quiet = createLogger({ service: "test", write: () => undefined });
const record = (requestId: string, topLabel = "1") =>
  create(DecisionRecordSchema, { requestId, time: timestampFromMs(Date.now()), model: { name: "m", version: "1" }, topLabel });

describe("the write-behind decision log", () => {
  let db: SqlDatabase;
  beforeEach(async () => {
    db = await openPgliteDatabase();
    await applyMigrations(db, undefined, quiet);
  });
  afterEach(() => db.close());

  it("writes accepted records within its flush interval, without being asked", async () => {
    const writer = createDecisionLogWriter({ db, logger: quiet, flushIntervalMs: 10 });
    writer.enqueue(record("a"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await findDecision(db, "a")).topLabel).toBe("1");
    await writer.close();
  });

  it("writes many records in batches, the last record of a request id winning", async () => {
    const writer = createDecisionLogWriter({ db, logger: quiet, flushIntervalMs: 1000, maxBatch: 7 });
    for (let i = 0; i < 20; i++) writer.enqueue(record(`b-${i % 10}`, String(i)));
    await writer.flush();
    expect((await findDecision(db, "b-3")).topLabel).toBe("13");
    const { rows } = await db.query("SELECT count(*)::int AS n FROM registry_decisions");
    expect(rows[0]?.["n"]).toBe(10);
    await writer.close();
  });

  it("refuses records beyond its buffer with OVERLOADED instead of growing without bound", async () => {
    const writer = createDecisionLogWriter({ db, logger: quiet, flushIntervalMs: 60_000, maxBuffered: 3, maxBatch: 100 });
    for (const id of ["c-1", "c-2", "c-3"]) writer.enqueue(record(id));
    let refused: unknown;
    try {
      writer.enqueue(record("c-4"));
    } catch (error) {
      refused = error;
    }
    expect(isDomainError(refused) && refused.reason).toBe("OVERLOADED");
    await writer.close();
    expect((await findDecision(db, "c-3")).requestId).toBe("c-3");
  });

  it("drops a record the database refuses for its data, logs it, and writes the rest of its batch", async () => {
    const lines: string[] = [];
    const logger = createLogger({ service: "test", write: (line) => void lines.push(line) });
    const writer = createDecisionLogWriter({ db, logger, flushIntervalMs: 60_000 });
    for (const id of ["e-1", "e-\u0000-refused", "e-3"]) writer.enqueue(record(id));
    await writer.flush();
    expect((await findDecision(db, "e-1")).requestId).toBe("e-1");
    expect((await findDecision(db, "e-3")).requestId).toBe("e-3");
    expect(lines.filter((line) => line.includes("decision record dropped"))).toHaveLength(1);
    writer.enqueue(record("e-4"));
    await writer.flush();
    expect((await findDecision(db, "e-4")).requestId).toBe("e-4");
    await writer.close();
  });

  it("stores U+0000 in a record's strings as U+FFFD, which jsonb can hold, instead of refusing the record", async () => {
    const writer = createDecisionLogWriter({ db, logger: quiet, flushIntervalMs: 60_000 });
    const nul = record("f");
    nul.request = create(RequestFactsSchema, { metadata: { "k\u0000ey": "va\u0000lue" } });
    writer.enqueue(nul);
    await writer.flush();
    expect((await findDecision(db, "f")).request?.metadata).toEqual({ "k\uFFFDey": "va\uFFFDlue" });
    await writer.close();
  });

  it("writes what is queued when closed", async () => {
    const writer = createDecisionLogWriter({ db, logger: quiet, flushIntervalMs: 60_000 });
    writer.enqueue(record("d"));
    await writer.close();
    expect((await findDecision(db, "d")).requestId).toBe("d");
  });
});
