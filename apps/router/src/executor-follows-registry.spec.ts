import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { clone, create } from "@bufbuild/protobuf";
import { BackendSchema, ExecuteRequestSchema, ExecutorService, type Model, ModelSchema, ModelStatus, RegistryService } from "@modelrouter/contracts";
import { loadDemoModels, loadSampleIndex, modelZooDir } from "@modelrouter/model-zoo";
import { type RegistryStore, createRegistryService, openPgliteDatabase, openRegistryStore } from "@modelrouter/registry-service/testing";
import { type ServiceClient, createDirectClient } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { type ExecutorComponent, type ExecutorConfig, startExecutor } from "@modelrouter/executor-service";
import { builtWorkerUrl } from "@modelrouter/executor-service/testing";

const config: ExecutorConfig = {
  modelRoot: modelZooDir(),
  maxModelBytes: 256 * 1024 * 1024,
  workers: 2,
  maxQueued: 16,
  maxQueuedPerModel: 16,
  maxBatchSize: 1,
  maxBatchDelayMs: 2,
  inlineBelowMs: 0,
  sessionIdleMs: Number.POSITIVE_INFINITY,
};

/** A zoo model version, optionally under another name or with another file. */
function zooModel(name: string, changes: { rename?: string; uri?: string } = {}): Model {
  const model = loadDemoModels().find((m) => m.name === name);
  if (model === undefined) throw new Error(`the zoo catalogue has no model ${name}`);
  const copy = clone(ModelSchema, model);
  if (changes.rename !== undefined) copy.name = changes.rename;
  if (changes.uri !== undefined && copy.backend?.kind.case === "onnx") {
    copy.backend.kind.value.uri = changes.uri;
    copy.backend.kind.value.sha256 = "";
  }
  return copy;
}

/** Waits until `condition` holds, looking every 20 ms; fails after 30 s (a bound on a hang, not a timing assertion). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition(); await sleep(20)) {
    if (Date.now() - started > 30_000) throw new Error(`gave up waiting until ${what}`);
  }
}

describe("an executor following the registry", () => {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ service: "executor-test", level: "debug", write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  let store: RegistryStore;
  let registry: ServiceClient<typeof RegistryService>;
  let executor: ExecutorComponent;

  const loaded = (name: string): boolean => executor.pool.loadedModels().some((m) => m.name === name);
  const runsOf = (name: string): number => executor.pool.stats().models.find((m) => m.model === name)?.runs ?? 0;

  beforeAll(async () => {
    store = await openRegistryStore({ db: await openPgliteDatabase(), logger: createLogger({ service: "registry-test", write: () => undefined }) });
    registry = createDirectClient(RegistryService, createRegistryService({ store, logger }), { defaultTimeoutMs: 30_000 });
    executor = startExecutor(config, logger, {
      registry,
      workerUrl: builtWorkerUrl(),
      watch: { retryDelayMs: 20, maxRetryDelayMs: 200 },
    });
    await executor.ready;
  }, 60_000);

  afterAll(async () => {
    await executor.close();
    await store.close();
  }, 60_000);

  it("loads a version's session as it is registered, before any Execute, and unloads it once it is deregistered", async () => {
    expect(loaded("digits-general")).toBe(false);

    await registry.registerModel({ model: zooModel("digits-general") });
    await until(() => loaded("digits-general"), "digits-general@1 is loaded");
    expect(executor.pool.loadedModels().find((m) => m.name === "digits-general")).toEqual({ name: "digits-general", version: "1", workers: 1 });
    expect(runsOf("digits-general")).toBe(0);

    const sample = loadSampleIndex().find((s) => s.kind === "mnist");
    if (sample === undefined) throw new Error("the zoo has no mnist sample");
    const model = zooModel("digits-general");
    const executed = await createDirectClient(ExecutorService, executor.impl, { defaultTimeoutMs: 30_000 }).execute(
      create(ExecuteRequestSchema, {
        model: { name: model.name, version: model.version },
        ...(model.backend === undefined ? {} : { backend: clone(BackendSchema, model.backend) }),
        payload: { kind: { case: "image", value: { data: new Uint8Array(readFileSync(sample.path)), mimeType: "image/png" } } },
      }),
    );
    expect(executed.outputs).toHaveLength(1);
    // The task ran on the worker that had preloaded the model: no other worker loaded it.
    expect(runsOf("digits-general")).toBe(1);
    expect(executor.pool.loadedModels().find((m) => m.name === "digits-general")?.workers).toBe(1);

    await registry.deregisterModel({ name: "digits-general", version: "1" });
    await until(() => !loaded("digits-general"), "digits-general@1 is unloaded");
  }, 60_000);

  it("unloads a version once it is retired", async () => {
    await registry.registerModel({ model: zooModel("digits-lite") });
    await until(() => loaded("digits-lite"), "digits-lite@1 is loaded");

    const retired = clone(ModelSchema, zooModel("digits-lite"));
    retired.status = ModelStatus.RETIRED;
    await registry.updateModel({ model: retired, updateMask: { paths: ["status"] } });
    await until(() => !loaded("digits-lite"), "digits-lite@1 is unloaded");
  }, 60_000);

  it("logs a version whose file cannot be loaded at warn, loads nothing, and keeps following", async () => {
    await registry.registerModel({ model: zooModel("digits-lite", { rename: "no-such-file", uri: "no-such-file/model.onnx" }) });
    await until(
      () => logs.some((line) => line["level"] === "warn" && line["model"] === "no-such-file" && String(line["msg"]).includes("could not preload")),
      "the failed preload is logged",
    );
    expect(loaded("no-such-file")).toBe(false);

    await registry.registerModel({ model: zooModel("digits-lowres-specialist") });
    await until(() => loaded("digits-lowres-specialist"), "digits-lowres-specialist@1 is loaded");
  }, 60_000);

  it("preloads each ACTIVE version in one worker, and leaves a STAGING version to load on first use", async () => {
    expect(executor.pool.loadedModels().reduce((workers, m) => workers + m.workers, 0)).toBe(1);
    await registry.registerModel({ model: zooModel("digits-general-degraded") });
    await registry.registerModel({ model: zooModel("sensor-fault-general") });
    await until(() => loaded("sensor-fault-general"), "sensor-fault-general@1 is loaded");
    expect(executor.pool.loadedModels().map((m) => `${m.name}@${m.version}×${m.workers}`)).toEqual([
      "digits-lowres-specialist@1×1",
      "sensor-fault-general@1×1",
    ]);
  }, 60_000);
});
