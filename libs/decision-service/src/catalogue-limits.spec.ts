import { create, toJson, type MessageInitShape } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it, jest } from "@jest/globals";
import { InputProfileSchema, Modality, ModelSchema, ModelStatus, RegistryService, type WatchModelsResponse } from "@modelrouter/contracts";
import { createRegistryService, openPgliteDatabase, openRegistryStore } from "@modelrouter/registry-service/testing";
import {
  Code,
  RpcError,
  type ServiceClient,
  createDirectClient,
  createGrpcChannel,
  createGrpcClient,
  createGrpcServer,
  serviceRegistration,
} from "@modelrouter/rpc-kit";
import {
  type TestEngine,
  defaultRoutePolicy,
  eventually,
  logged,
  memoryLogger,
  modelInit,
  startEngine,
  targetOf,
} from "./decision.test-support.js";

jest.setTimeout(120_000);

const image = create(InputProfileSchema, { modality: Modality.IMAGE, image: { width: 8, height: 8 } });

/** Rejects when `promise` has not settled within `ms`: a hang guard, not a timing assertion. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** A registry on an in-memory database, its store's database for raw writes, and the registry's log lines. */
async function openRegistry(watchLimits?: { maxBytes?: number; maxChanges?: number }) {
  const logs: string[] = [];
  const logger = memoryLogger(logs, "registry-test");
  const db = await openPgliteDatabase();
  const store = await openRegistryStore({ db, logger });
  const service = createRegistryService({ store, logger, ...(watchLimits === undefined ? {} : { watchLimits }) });
  return { db, store, service, logs, client: createDirectClient(RegistryService, service, { defaultTimeoutMs: 30_000 }) };
}

/**
 * Stores a model version the way a registry did before it bounded sizes (or a hand-written SQL statement
 * would): straight into the database, whatever its size, with its change log entry.
 */
async function storeStraight(db: Awaited<ReturnType<typeof openPgliteDatabase>>, init: MessageInitShape<typeof ModelSchema>) {
  const model = create(ModelSchema, { ...init, status: ModelStatus.ACTIVE });
  await db.transaction(async (tx) => {
    const { rows } = await tx.query("UPDATE registry_revision SET revision = revision + 1 RETURNING revision");
    model.revision = BigInt(String(rows[0]?.["revision"]));
    const body = JSON.stringify(toJson(ModelSchema, model));
    await tx.query(
      `INSERT INTO registry_models (name, version, task, modality, status, labels, create_time, update_time, revision, body)
        VALUES ($1, $2, '', $3, $4, '{}'::jsonb, now(), now(), $5::bigint, $6::jsonb)`,
      [model.name, model.version, model.modality, model.status, model.revision.toString(), body],
    );
    await tx.query(
      "INSERT INTO registry_changes (revision, seq, kind, type, key, payload) VALUES ($1, 0, 'model', 'PUT', $2, $3::jsonb)",
      [model.revision.toString(), `${model.name}/${model.version}`, body],
    );
  });
  return model;
}

describe("the catalogue sync and what the registry stores", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function engineOn(registry: ServiceClient<typeof RegistryService>): TestEngine {
    const engine = startEngine(registry);
    cleanups.push(() => engine.close());
    return engine;
  }

  it("becomes ready over gRPC and follows later changes although a stored model is larger than any message (9 MiB)", async () => {
    const registry = await openRegistry();
    cleanups.push(() => registry.store.close());
    const huge = await storeStraight(registry.db, { ...modelInit("huge", "1"), description: "x".repeat(9 * 1024 * 1024) });
    await registry.client.registerModel({ model: modelInit("a", "1") });
    await registry.client.applyPolicy({ policy: defaultRoutePolicy("p", ["huge", "a"]) });

    const server = createGrpcServer({ services: [serviceRegistration(RegistryService, registry.service)] });
    const port = await server.listen("127.0.0.1:0");
    cleanups.push(() => server.shutdown(200));
    const channel = createGrpcChannel(`127.0.0.1:${port}`);
    cleanups.push(async () => channel.close());
    const engine = engineOn(createGrpcClient(RegistryService, channel, { defaultTimeoutMs: 30_000 }));

    await within(engine.sync.ready, 60_000, "the engine becoming ready");
    expect(targetOf(await engine.client.decide({ profile: image }))).toBe("a@1");
    expect(engine.sync.snapshot()?.catalogue.models.map((m) => m.name)).toEqual(["a"]);
    expect(logged(registry.logs, "a stored model cannot be sent to watchers; they treat it as absent")).toContainEqual(
      expect.objectContaining({ name: huge.name, version: "1", fix: expect.stringMatching(/deregister it/) }),
    );

    await registry.client.registerModel({ model: modelInit("a", "2") });
    await eventually(async () => expect(targetOf(await engine.client.decide({ profile: image }))).toBe("a@2"));
    await registry.client.deregisterModel({ name: "huge" });
    const revision = await registry.store.revision();
    await eventually(() => expect(engine.sync.snapshot()?.revision).toBe(revision));
  });

  it("starts a snapshot over when its stream ends inside it, instead of waiting forever for its end", async () => {
    const registry = await openRegistry({ maxChanges: 1 });
    cleanups.push(() => registry.store.close());
    for (const version of ["1", "2", "3"]) await registry.client.registerModel({ model: modelInit("a", version) });
    await registry.client.applyPolicy({ policy: defaultRoutePolicy("p", ["a"]) });

    let cut = false;
    const flaky: ServiceClient<typeof RegistryService> = {
      ...registry.client,
      watchModels(request, options) {
        const stream = registry.client.watchModels(request, options);
        if (cut) return stream;
        cut = true;
        return (async function* () {
          for await (const message of stream) {
            yield message;
            throw new RpcError({ code: Code.UNAVAILABLE, message: "the connection dropped" });
          }
        })();
      },
    };
    const engine = engineOn(flaky);
    await within(engine.sync.ready, 60_000, "the engine becoming ready");
    expect(engine.sync.snapshot()?.catalogue.models.map((m) => m.version).sort()).toEqual(["1", "2", "3"]);
    expect(logged(engine.logs, "watch stream ended inside a snapshot; starting it over")).toHaveLength(1);
  });

  it("publishes a revision sent in several messages only once its last part arrived", async () => {
    const registry = await openRegistry({ maxBytes: 512 });
    cleanups.push(() => registry.store.close());
    const name = "a-model-with-a-long-name-so-that-its-deletions-fill-messages";
    const versions = Array.from({ length: 40 }, (_, i) => String(i));
    for (const version of versions) await registry.client.registerModel({ model: modelInit(name, version) });
    await registry.client.registerModel({ model: modelInit("other", "1") });
    await registry.client.applyPolicy({ policy: defaultRoutePolicy("p", ["other"]) });

    // After each message is applied, note how many versions of the model the published snapshot has.
    const published: number[] = [];
    const messages: WatchModelsResponse[] = [];
    const watcher: { engine?: TestEngine } = {};
    const observed: ServiceClient<typeof RegistryService> = {
      ...registry.client,
      watchModels(request, options) {
        const stream = registry.client.watchModels(request, options);
        return (async function* () {
          for await (const message of stream) {
            messages.push(message);
            yield message;
            published.push(watcher.engine?.sync.snapshot()?.catalogue.models.filter((m) => m.name === name).length ?? -1);
          }
        })();
      },
    };
    const engine = engineOn(observed);
    watcher.engine = engine;
    await within(engine.sync.ready, 60_000, "the engine becoming ready");
    const before = messages.length;
    await registry.client.deregisterModel({ name });
    await eventually(() => expect(engine.sync.snapshot()?.catalogue.models.map((m) => m.name)).toEqual(["other"]));
    await eventually(() => expect(published.length).toBe(messages.length));

    const removal = messages.slice(before);
    expect(removal.length).toBeGreaterThan(1);
    expect(removal.flatMap((m) => m.changes).length).toBe(versions.length);
    expect(published.slice(before)).toEqual([...removal.slice(1).map(() => versions.length), 0]);
  });
});
