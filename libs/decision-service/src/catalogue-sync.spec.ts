import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it, jest } from "@jest/globals";
import { InputProfileSchema, Modality, RegistryService } from "@modelrouter/contracts";
import { ErrorReason, isDomainError } from "@modelrouter/errors";
import { createRegistryService, openPgliteDatabase, openRegistryStore } from "@modelrouter/registry-service/testing";
import {
  Code,
  type GrpcChannel,
  isRpcError,
  type ServiceClient,
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
  rpcFailure,
  startEngine,
  targetOf,
} from "./decision.test-support.js";

jest.setTimeout(120_000);

const image = create(InputProfileSchema, { modality: Modality.IMAGE, image: { width: 8, height: 8 } });

/** A registry served over gRPC on loopback, on a PGlite data directory that outlives it. */
interface GrpcRegistry {
  readonly port: number;
  readonly client: ServiceClient<typeof RegistryService>;
  stop(): Promise<void>;
}

async function startGrpcRegistry(dataDir: string, port: number): Promise<GrpcRegistry> {
  const logger = memoryLogger([], "registry-test");
  const store = await openRegistryStore({ db: await openPgliteDatabase({ dataDir }), logger });
  const server = createGrpcServer({ services: [serviceRegistration(RegistryService, createRegistryService({ store, logger }))] });
  const bound = await server.listen(`127.0.0.1:${port}`);
  const channel = createGrpcChannel(`127.0.0.1:${bound}`);
  return {
    port: bound,
    client: createGrpcClient(RegistryService, channel, { defaultTimeoutMs: 30_000 }),
    async stop() {
      channel.close();
      await store.close();
      await server.shutdown(200);
    },
  };
}

/** Treats ALREADY_EXISTS as success, for a retried registration whose first attempt did go through. */
function ignoreExisting(error: unknown): void {
  if (!(isRpcError(error) && error.code === Code.ALREADY_EXISTS)) throw error;
}

describe("createCatalogueSync over gRPC", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function fixture(): Promise<{ dataDir: string; port: number; channel: GrpcChannel }> {
    const dataDir = await mkdtemp(join(tmpdir(), "decision-sync-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const seed = await startGrpcRegistry(dataDir, 0);
    await seed.client.registerModel({ model: modelInit("a", "1") });
    await seed.client.applyPolicy({ policy: defaultRoutePolicy("p", ["a"]) });
    await seed.stop();
    const channel = createGrpcChannel(`127.0.0.1:${seed.port}`);
    cleanups.push(async () => channel.close());
    return { dataDir, port: seed.port, channel };
  }

  function engineOn(channel: GrpcChannel): TestEngine {
    const engine = startEngine(createGrpcClient(RegistryService, channel, { defaultTimeoutMs: 30_000 }));
    cleanups.push(() => engine.close());
    return engine;
  }

  it("is not ready while the registry is down, loads when it comes up, and resumes after a restart", async () => {
    const { dataDir, port, channel } = await fixture();
    const engine = engineOn(channel);

    const notReady = await rpcFailure(engine.client.decide({ profile: image }));
    expect([notReady.code, notReady.reason]).toEqual([Code.UNAVAILABLE, ErrorReason.SERVICE_NOT_READY]);
    await eventually(() => expect(logged(engine.logs, "watch stream failed; reconnecting").length).toBeGreaterThan(1));

    let registry = await startGrpcRegistry(dataDir, port);
    cleanups.push(() => registry.stop());
    await engine.sync.ready;
    expect(targetOf(await engine.client.decide({ profile: image }))).toBe("a@1");
    const loadedAt = engine.sync.snapshot()?.revision ?? 0n;
    expect(loadedAt).toBeGreaterThan(0n);

    const failuresBefore = logged(engine.logs, "watch stream failed; reconnecting").length;
    await registry.stop();
    await eventually(() =>
      expect(logged(engine.logs, "watch stream failed; reconnecting").length).toBeGreaterThan(failuresBefore + 1),
    );
    expect(targetOf(await engine.client.decide({ profile: image }))).toBe("a@1");

    registry = await startGrpcRegistry(dataDir, port);
    // Until its channel reconnects, a client may fail fast with UNAVAILABLE; retry as any client would.
    await eventually(() => registry.client.registerModel({ model: modelInit("a", "2") }).then(() => undefined, ignoreExisting));
    await eventually(async () => expect(targetOf(await engine.client.decide({ profile: image }))).toBe("a@2"));

    expect(logged(engine.logs, "catalogue loaded")).toHaveLength(1);
    const retries = logged(engine.logs, "watch stream failed; reconnecting").slice(failuresBefore);
    expect(retries.every((line) => BigInt(String(line["sinceRevision"])) === loadedAt)).toBe(true);
    const delays = retries.map((line) => Number(line["retryInMs"]));
    expect(Math.max(...delays)).toBeLessThanOrEqual(200);
  });

  it("rejects `ready` when closed before the catalogue loaded", async () => {
    const { channel } = await fixture();
    const engine = engineOn(channel);
    await engine.close();
    const error = await engine.sync.ready.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDomainError(error) && error.reason).toBe(ErrorReason.SERVICE_NOT_READY);
    expect(engine.sync.snapshot()).toBeUndefined();
  });
});
