import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { DecisionRecordSchema, RegistryService } from "@modelrouter/contracts";
import { createRegistryService, openPgliteDatabase, openRegistryStore, type RegistryStore } from "@modelrouter/registry-service/testing";
import { createDirectClient, isRpcError, type ServiceClient } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { createDecisionRecorder } from "./decision-recorder.js";

const quiet = createLogger({ service: "test", write: () => undefined });
const record = (requestId: string) =>
  create(DecisionRecordSchema, { requestId, time: timestampFromMs(Date.now()), model: { name: "m", version: "1" }, policy: "p", topLabel: "7" });

describe("the decision recorder, writing to a real registry", () => {
  let store: RegistryStore;
  let registry: ServiceClient<typeof RegistryService>;

  beforeAll(async () => {
    store = await openRegistryStore({ db: await openPgliteDatabase(), logger: quiet });
    registry = createDirectClient(RegistryService, createRegistryService({ store, logger: quiet }), { defaultTimeoutMs: 10_000 });
  });
  afterAll(() => store.close());

  const recorder = (options: { sampleRate?: number; maxInFlight?: number } = {}) =>
    createDecisionRecorder({ registry, logger: quiet, sampleRate: 1, maxInFlight: 16, timeoutMs: 5000, random: () => 0.5, ...options });

  it("writes a record that feedback can then find", async () => {
    const r = recorder();
    r.record(record("a-1"));
    await r.settled("a-1");
    expect((await registry.getDecision({ requestId: "a-1" })).decision?.topLabel).toBe("7");
    expect(r.stats()).toEqual({ recorded: 1, dropped: 0, failed: 0 });
  });

  it("drops records beyond its in-flight bound instead of queueing them, and counts them", async () => {
    const r = recorder({ maxInFlight: 1 });
    r.record(record("b-1"));
    r.record(record("b-2"));
    await r.close();
    expect(r.stats()).toEqual({ recorded: 1, dropped: 1, failed: 0 });
    const missing = await registry.getDecision({ requestId: "b-2" }).catch((e: unknown) => e);
    expect(isRpcError(missing) && missing.reason).toBe("REQUEST_NOT_FOUND");
  });

  it("records only the sampled fraction", async () => {
    const r = recorder({ sampleRate: 0.25 });
    r.record(record("c-1"));
    await r.close();
    expect(r.stats()).toEqual({ recorded: 0, dropped: 0, failed: 0 });
  });

  it("counts a write the registry refuses, and never throws", async () => {
    const r = recorder();
    r.record(create(DecisionRecordSchema, { requestId: "bad id!" }));
    await r.close();
    expect(r.stats()).toEqual({ recorded: 0, dropped: 0, failed: 1 });
  });
});
