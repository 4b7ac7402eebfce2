import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create, toBinary } from "@bufbuild/protobuf";
import { RegisterModelRequestSchema, RegistryService, type WatchModelsResponse } from "@modelrouter/contracts";
import {
  Code,
  createGrpcChannel,
  createGrpcClient,
  createGrpcServer,
  serviceRegistration,
  type GrpcChannel,
  type GrpcServer,
  type ServiceClient,
} from "@modelrouter/rpc-kit";
import {
  memoryLogger,
  readStream,
  rpcErrorOf,
  uniqueName,
  validDecision,
  validModel,
  validPolicy,
} from "./registry.test-support.js";
import { createRegistryService } from "./registry-service.js";
import { openPgliteDatabase } from "./storage/pglite-database.js";
import { openRegistryStore, type RegistryStore } from "./store/registry-store.js";

describe("RegistryService over gRPC (loopback)", () => {
  let store: RegistryStore;
  let server: GrpcServer;
  let channel: GrpcChannel;
  let client: ServiceClient<typeof RegistryService>;

  beforeAll(async () => {
    const logger = memoryLogger([]);
    store = await openRegistryStore({ db: await openPgliteDatabase(), logger });
    server = createGrpcServer({ services: [serviceRegistration(RegistryService, createRegistryService({ store, logger }))] });
    const port = await server.listen("127.0.0.1:0");
    channel = createGrpcChannel(`127.0.0.1:${port}`);
    client = createGrpcClient(RegistryService, channel, { defaultTimeoutMs: 10_000 });
  }, 120_000);

  afterAll(async () => {
    channel?.close();
    await server?.shutdown(1_000);
    await store?.close();
  }, 60_000);

  it("round-trips models and policies, int64 revisions included", async () => {
    const name = uniqueName();
    const { model } = await client.registerModel({ model: validModel({ name }) });
    expect(model?.revision).toBe(await store.revision());
    expect((await client.getModel({ name })).model).toEqual(model);
    const { policy, warnings } = await client.applyPolicy({ policy: validPolicy(uniqueName("policy"), name) });
    expect(warnings).toEqual([]);
    expect(policy?.revision).toBe(model!.revision + 1n);
  });

  it("sends every violation, the reason and the metadata to the client", async () => {
    const bad = validModel({ name: "Bad", version: "" });
    const error = await rpcErrorOf(client.registerModel({ model: bad }));
    expect([error.code, error.reason]).toEqual([Code.INVALID_ARGUMENT, "INVALID_FIELD"]);
    expect(error.violations.map((v) => v.field)).toEqual(["model.name", "model.version"]);

    const broken = validPolicy(uniqueName("policy"), "anything");
    broken.rules[0]!.when = "input.modality ==";
    const invalid = await rpcErrorOf(client.applyPolicy({ policy: broken }));
    expect(invalid.reason).toBe("POLICY_INVALID");
    expect(invalid.metadata).toMatchObject({ field: "policy.rules[0].when", line: "1" });
  });

  it("refuses a model with ~110k labels (just under the 8 MiB message limit) with INVALID_ARGUMENT naming model.labels", async () => {
    const labels = Object.fromEntries(Array.from({ length: 110_000 }, (_, i) => [`label-${i}`, `value-${"v".repeat(45)}-${i}`]));
    const model = validModel({ name: uniqueName(), labels });
    const bytes = toBinary(RegisterModelRequestSchema, create(RegisterModelRequestSchema, { model })).length;
    expect(bytes).toBeGreaterThan(7.5 * 2 ** 20);
    expect(bytes).toBeLessThan(8 * 2 ** 20);
    const before = await store.revision();
    const error = await rpcErrorOf(client.registerModel({ model }));
    expect([error.code, error.reason]).toEqual([Code.INVALID_ARGUMENT, "INVALID_FIELD"]);
    expect(error.violations.map((v) => v.field)).toEqual(["model.labels", "model"]);
    expect(error.violations[0]?.description).toMatch(/^has 110000 labels; at most 64 are allowed/);
    expect(error.message.length).toBeLessThan(2000);
    expect(await store.revision()).toBe(before);
  });

  it("records a decision and its feedback, and reads it back, timestamps and codes intact", async () => {
    const decision = validDecision({ requestId: uniqueName("req"), code: 0, time: { seconds: 1_700_000_000n, nanos: 5 } });
    await client.recordDecision({ decision });
    const { decision: judged } = await client.recordFeedback({ requestId: decision.requestId, value: { case: "label", value: "7" } });
    expect(judged?.feedback?.correct).toBe(true);
    expect((await client.getDecision({ requestId: decision.requestId })).decision).toEqual(judged);
    expect(judged).toEqual({ ...decision, feedback: judged?.feedback });

    const failed = validDecision({ requestId: uniqueName("req"), model: undefined, code: Code.DEADLINE_EXCEEDED });
    await client.recordDecision({ decision: failed });
    expect((await client.getDecision({ requestId: failed.requestId })).decision?.code).toBe(Code.DEADLINE_EXCEEDED);

    const missing = await rpcErrorOf(client.recordFeedback({ requestId: "nobody", value: { case: "reward", value: 1 } }));
    expect([missing.code, missing.reason, missing.metadata]).toEqual([Code.NOT_FOUND, "REQUEST_NOT_FOUND", { requestId: "nobody" }]);
  });

  it("streams a watch until the client cancels it, and keeps serving", async () => {
    const watch = readStream<WatchModelsResponse>((signal) => client.watchModels({}, { signal, timeoutMs: 60_000 }));
    try {
      const first = await watch.next();
      expect(first.reset).toBe(true);
      const pending = watch.next();
      const { model } = await client.registerModel({ model: validModel({ name: uniqueName() }) });
      expect((await pending).changes.map((c) => c.model?.name)).toEqual([model?.name]);
    } finally {
      await watch.close();
    }
    await expect(client.listModels({ pageSize: 1 })).resolves.toMatchObject({ models: [expect.anything()] });
  });
});
