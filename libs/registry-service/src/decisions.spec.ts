import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { DecisionRecord, Modality, WatchModelsResponse } from "@modelrouter/contracts";
import { Code, isRpcError } from "@modelrouter/rpc-kit";
import {
  backendFor,
  nextAfterWrite,
  readStream,
  rpcErrorOf,
  uniqueName,
  validDecision,
  validModel,
  type Backend,
  type Driver,
  type Registry,
} from "./registry.test-support.js";

const drivers: Driver[] = ["pglite", "postgres"];

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

describe.each(drivers)("the decision log on %s", (driver) => {
  /** The registry's clock: fixed, so that feedback times and retention cut-offs are exact. */
  const clockMs = Date.UTC(2025, 5, 1, 12, 0, 0, 250);
  let backend: Backend;
  let registry: Registry;

  beforeAll(async () => {
    backend = await backendFor(driver);
    registry = await backend.open({
      store: { now: () => new Date(clockMs), decisionPruneIntervalMs: 3_600_000, decisionPruneBatchSize: 2 },
    });
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  /** A valid decision of a request id no other test uses, answered at `ageMs` before the registry's clock. */
  const decision = (ageMs = 0, overrides: Parameters<typeof validDecision>[0] = {}): DecisionRecord =>
    validDecision({ requestId: uniqueName("req"), time: timestampFromMs(clockMs - ageMs), ...overrides });

  const record = async (d: DecisionRecord): Promise<DecisionRecord> => {
    await registry.client.recordDecision({ decision: d });
    return d;
  };

  const get = async (requestId: string): Promise<DecisionRecord> =>
    (await registry.client.getDecision({ requestId })).decision!;

  describe("RecordDecision and GetDecision", () => {
    it("returns a recorded decision exactly as recorded, without feedback", async () => {
      const d = await record(decision(0, { time: { seconds: BigInt(Math.floor(clockMs / 1000) - 5), nanos: 123_456_789 } }));
      const read = await get(d.requestId);
      expect(read).toEqual(d);
      expect(read.feedback).toBeUndefined();
      expect(read.time).toEqual({ $typeName: "google.protobuf.Timestamp", seconds: BigInt(Math.floor(clockMs / 1000) - 5), nanos: 123_456_789 });
    });

    it("records a failed request without a model, policy or rule", async () => {
      const d = await record(
        decision(0, { model: undefined, attempted: [], policy: "", rule: "", code: Code.UNAVAILABLE, topLabel: "", traceId: "" }),
      );
      expect(await get(d.requestId)).toEqual(d);
    });

    it("ignores feedback sent with a decision: feedback arrives through RecordFeedback", async () => {
      const d = decision(0, { feedback: { value: { case: "label", value: "7" }, correct: true } });
      await record(d);
      expect((await get(d.requestId)).feedback).toBeUndefined();
    });

    it("replaces the record of a request recorded again, keeping its feedback, judged against the new top label", async () => {
      const first = await record(decision());
      const { decision: judged } = await registry.client.recordFeedback({
        requestId: first.requestId,
        value: { case: "label", value: "7" },
      });
      expect(judged?.feedback?.correct).toBe(true);

      const second = decision(0, { requestId: first.requestId, model: { name: "digits-general", version: "2" }, topLabel: "1" });
      await record(second);
      const read = await get(first.requestId);
      expect(read).toEqual({ ...second, feedback: { ...judged!.feedback!, correct: false } });

      await record(decision(0, { requestId: first.requestId, topLabel: "7" }));
      expect((await get(first.requestId)).feedback).toEqual(judged!.feedback);
    });

    it("answers GetDecision for an unknown request with NOT_FOUND, REQUEST_NOT_FOUND and the request id", async () => {
      const requestId = uniqueName("never-recorded");
      const error = await rpcErrorOf(registry.client.getDecision({ requestId }));
      expect([error.code, error.reason]).toEqual([Code.NOT_FOUND, "REQUEST_NOT_FOUND"]);
      expect(error.metadata).toEqual({ requestId });
      expect(error.message).toContain(requestId);
    });
  });

  describe("RecordFeedback", () => {
    it("marks a true label equal to the top label correct, at the registry's time, and returns the decision", async () => {
      const d = await record(decision());
      const { decision: judged } = await registry.client.recordFeedback({ requestId: d.requestId, value: { case: "label", value: "7" } });
      expect(judged?.feedback).toMatchObject({ value: { case: "label", value: "7" }, correct: true });
      expect(timestampMs(judged!.feedback!.time!)).toBe(clockMs);
      expect(judged).toEqual({ ...d, feedback: judged!.feedback });
      expect(await get(d.requestId)).toEqual(judged);
    });

    it("marks a different true label incorrect", async () => {
      const d = await record(decision());
      const { decision: judged } = await registry.client.recordFeedback({ requestId: d.requestId, value: { case: "label", value: "3" } });
      expect(judged?.feedback).toMatchObject({ value: { case: "label", value: "3" }, correct: false });
    });

    it("never marks a label correct for an answer without a top label", async () => {
      const d = await record(decision(0, { topLabel: "" }));
      const { decision: judged } = await registry.client.recordFeedback({ requestId: d.requestId, value: { case: "label", value: "7" } });
      expect(judged?.feedback?.correct).toBe(false);
    });

    it("records a reward, and replaces earlier feedback", async () => {
      const d = await record(decision());
      await registry.client.recordFeedback({ requestId: d.requestId, value: { case: "label", value: "7" } });
      const { decision: rewarded } = await registry.client.recordFeedback({ requestId: d.requestId, value: { case: "reward", value: -0.25 } });
      expect(rewarded?.feedback).toMatchObject({ value: { case: "reward", value: -0.25 }, correct: false });
      expect((await get(d.requestId)).feedback).toEqual(rewarded?.feedback);
      const { decision: relabelled } = await registry.client.recordFeedback({ requestId: d.requestId, value: { case: "label", value: "7" } });
      expect((await get(d.requestId)).feedback).toMatchObject({ value: { case: "label", value: "7" }, correct: true });
      expect(relabelled?.feedback?.correct).toBe(true);
    });

    it("refuses a label holding a NUL character with INVALID_ARGUMENT naming label, not INTERNAL, and keeps the record as it was", async () => {
      const d = await record(decision());
      const error = await rpcErrorOf(registry.client.recordFeedback({ requestId: d.requestId, value: { case: "label", value: "a\u0000b" } }));
      expect([error.code, error.reason, error.violations.map((v) => v.field)]).toEqual([Code.INVALID_ARGUMENT, "INVALID_FIELD", ["label"]]);
      expect(await get(d.requestId)).toEqual(d);
    });

    it("answers feedback for an unknown request with NOT_FOUND, REQUEST_NOT_FOUND and the request id", async () => {
      const requestId = uniqueName("never-recorded");
      const error = await rpcErrorOf(registry.client.recordFeedback({ requestId, value: { case: "reward", value: 1 } }));
      expect([error.code, error.reason]).toEqual([Code.NOT_FOUND, "REQUEST_NOT_FOUND"]);
      expect(error.metadata).toEqual({ requestId });
    });
  });

  describe("validation", () => {
    it("reports every problem of a decision at once, each at its path", async () => {
      const bad = decision(0, {
        requestId: "not a request id!",
        time: timestampFromMs(clockMs + 2 * 60 * MINUTE_MS),
        model: { name: "Digits", version: "" },
        attempted: [{ name: "", version: "1" }, { name: "digits-lowres", version: "../1" }],
        policy: "Digits_Routing",
        rule: "-images",
        code: 17,
        topLabel: "x".repeat(257),
        tenant: "t".repeat(257),
        modality: 99 as Modality,
        traceId: "4BF92F3577B34DA6A3CE929D0E0E4736",
      });
      const error = await rpcErrorOf(registry.client.recordDecision({ decision: bad }));
      expect([error.code, error.reason]).toEqual([Code.INVALID_ARGUMENT, "INVALID_FIELD"]);
      expect(error.violations.map((v) => v.field)).toEqual([
        "decision.request_id",
        "decision.time",
        "decision.code",
        "decision.model.name",
        "decision.model.version",
        "decision.attempted[0].name",
        "decision.attempted[1].version",
        "decision.policy",
        "decision.rule",
        "decision.top_label",
        "decision.tenant",
        "decision.modality",
        "decision.trace_id",
      ]);
      expect(error.violations[1]?.description).toMatch(/120 minutes ahead of the registry's clock/);
      for (const violation of error.violations) expect(violation.description.length).toBeGreaterThan(15);
    });

    it("requires the decision, its request id, its time, and a model when the request succeeded", async () => {
      expect((await rpcErrorOf(registry.client.recordDecision({}))).violations.map((v) => v.field)).toEqual(["decision"]);
      const error = await rpcErrorOf(registry.client.recordDecision({ decision: { code: 0 } }));
      expect(error.violations.map((v) => v.field)).toEqual(["decision.request_id", "decision.time", "decision.model"]);
      expect(error.violations[2]?.description).toMatch(/required when code is 0/);
    });

    it.each([
      ["nanos below 0", { seconds: 1_700_000_000n, nanos: -1 }],
      ["nanos of a whole second", { seconds: 1_700_000_000n, nanos: 1_000_000_000 }],
      ["a year before 1", { seconds: -62_135_596_801n, nanos: 0 }],
    ])("rejects a time with %s", async (_what, time) => {
      const error = await rpcErrorOf(registry.client.recordDecision({ decision: decision(0, { time }) }));
      expect(error.violations).toEqual([{ field: "decision.time", description: expect.stringMatching(/not a valid timestamp/) }]);
    });

    it("accepts the longest request id, a record up to an hour ahead, and a record older than the retention", async () => {
      const longest = "a".repeat(127) + ":";
      await record(decision(0, { requestId: longest }));
      expect((await get(longest)).requestId).toBe(longest);
      await record(decision(-59 * MINUTE_MS));
      await record(decision(30 * DAY_MS));
      const tooLong = await rpcErrorOf(registry.client.getDecision({ requestId: `${longest}x` }));
      expect(tooLong.violations.map((v) => v.field)).toEqual(["request_id"]);
    });

    it("checks the request id of GetDecision", async () => {
      for (const requestId of ["", "a b", "é"]) {
        const error = await rpcErrorOf(registry.client.getDecision({ requestId }));
        expect([error.code, error.reason]).toEqual([Code.INVALID_ARGUMENT, "INVALID_FIELD"]);
        expect(error.violations.map((v) => v.field)).toEqual(["request_id"]);
      }
    });

    it("requires exactly one of a non-empty label or a finite reward, and a valid request id", async () => {
      const none = await rpcErrorOf(registry.client.recordFeedback({ requestId: "" }));
      expect(none.violations.map((v) => v.field)).toEqual(["request_id", "value"]);
      expect(none.violations[1]?.description).toMatch(/exactly one of label .* or reward/);
      const cases = [
        [{ case: "label", value: "" }, "label"],
        [{ case: "label", value: "x".repeat(257) }, "label"],
        [{ case: "reward", value: Number.NaN }, "reward"],
        [{ case: "reward", value: Number.POSITIVE_INFINITY }, "reward"],
      ] as const;
      for (const [value, field] of cases) {
        const error = await rpcErrorOf(registry.client.recordFeedback({ requestId: "req-x", value }));
        expect([error.code, error.reason]).toEqual([Code.INVALID_ARGUMENT, "INVALID_FIELD"]);
        expect(error.violations.map((v) => v.field)).toEqual([field]);
      }
    });
  });

  describe("decisions are data, not configuration", () => {
    it("never change the registry revision nor reach watchers", async () => {
      await registry.client.registerModel({ model: validModel({ name: uniqueName() }) });
      const since = await registry.store.revision();
      const watch = readStream<WatchModelsResponse>((signal) =>
        registry.client.watchModels({ sinceRevision: since }, { signal, timeoutMs: 120_000 }),
      );
      try {
        const { message, written } = await nextAfterWrite(registry, watch, async () => {
          const d = await record(decision());
          await registry.client.recordFeedback({ requestId: d.requestId, value: { case: "label", value: "7" } });
          expect(await registry.store.revision()).toBe(since);
          return (await registry.client.registerModel({ model: validModel({ name: uniqueName() }) })).model!;
        });
        expect(written.revision).toBe(since + 1n);
        expect(message.revision).toBe(written.revision);
        expect(message.changes.map((c) => c.model?.name)).toEqual([written.name]);
      } finally {
        await watch.close();
      }
    });
  });

  describe("retention", () => {
    it("prunes records older than the retention (7 days by default) in batches, and keeps younger ones", async () => {
      await registry.store.pruneDecisions();
      const old = await Promise.all([1, 2, 3, 4, 5].map(() => record(decision(8 * DAY_MS))));
      const withFeedback = old[0]!;
      await registry.client.recordFeedback({ requestId: withFeedback.requestId, value: { case: "reward", value: 1 } });
      const young = await record(decision(7 * DAY_MS - MINUTE_MS));

      expect(await registry.store.pruneDecisions()).toBe(5);
      for (const d of old) {
        expect((await rpcErrorOf(registry.client.getDecision({ requestId: d.requestId }))).reason).toBe("REQUEST_NOT_FOUND");
      }
      expect(await get(young.requestId)).toEqual(young);
      expect(await registry.store.pruneDecisions()).toBe(0);
    });

    it("prunes on its interval in the background, at the configured retention, and stops when the store closes", async () => {
      const fresh = await backend.openFresh({
        store: { now: () => new Date(clockMs), decisionRetentionMs: 10 * MINUTE_MS, decisionPruneIntervalMs: 20 },
      });
      let closed = false;
      try {
        const old = validDecision({ requestId: "old", time: timestampFromMs(clockMs - 11 * MINUTE_MS) });
        const young = validDecision({ requestId: "young", time: timestampFromMs(clockMs - 9 * MINUTE_MS) });
        await fresh.client.recordDecision({ decision: old });
        await fresh.client.recordDecision({ decision: young });
        await until(() =>
          fresh.client.getDecision({ requestId: "old" }).then(
            () => false,
            (error: unknown) => isRpcError(error) && error.reason === "REQUEST_NOT_FOUND",
          ),
        );
        expect((await fresh.client.getDecision({ requestId: "young" })).decision).toEqual(young);
        await fresh.close();
        closed = true;
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(fresh.logs.filter((line) => /could not prune/.test(line))).toEqual([]);
      } finally {
        if (!closed) await fresh.close();
      }
    }, 60_000);
  });
});

/** Polls `condition` until it holds; fails after a generous guard (a hang guard, not a timing assertion). */
async function until(condition: () => Promise<boolean>, guardMs = 20_000): Promise<void> {
  const deadline = Date.now() + guardMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`the condition did not hold within ${guardMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
