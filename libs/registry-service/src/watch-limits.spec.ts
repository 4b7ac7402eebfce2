import { clone, create, toBinary, toJson } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  ChangeType,
  ModelSchema,
  PolicySchema,
  WatchModelsResponseSchema,
  WatchPoliciesResponseSchema,
  type Model,
  type WatchModelsResponse,
  type WatchPoliciesResponse,
} from "@modelrouter/contracts";
import {
  backendFor,
  manyLabels,
  nextAfterWrite,
  readStream,
  uniqueName,
  validModel,
  validPolicy,
  type Backend,
  type Driver,
  type Registry,
  type StreamReader,
} from "./registry.test-support.js";
import type { SqlDatabase } from "./storage/sql-database.js";
import { MODEL_COLUMNS, MODEL_PLACEHOLDERS, modelRowValues } from "./store/model-rows.js";

const drivers: Driver[] = ["pglite", "postgres"];
const MiB = 1 << 20;

/** A model of about 1.4 MiB encoded: what a registry accepted before it bounded labels. */
function hugeModel(name: string): Model {
  return validModel({ name, labels: manyLabels(20_000, "x".repeat(60)) });
}

/**
 * Writes a model change as an older registry (or a hand-made SQL statement) did, at a new revision, without
 * any check and without waking watchers: a PUT stores the row (with `body`, default the model's protobuf
 * JSON) and logs it whole; a DELETE logs the whole model, as registries did before DELETEs carried keys.
 */
async function storeStraight(db: SqlDatabase, model: Model, type: "PUT" | "DELETE" = "PUT", body?: unknown): Promise<bigint> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query("UPDATE registry_revision SET revision = revision + 1 RETURNING revision");
    const revision = BigInt(String(rows[0]?.["revision"]));
    const stored = clone(ModelSchema, model);
    stored.revision = revision;
    const json = body ?? toJson(ModelSchema, stored);
    if (type === "PUT") {
      const values = modelRowValues(stored, new Date(), new Date());
      values[values.length - 1] = JSON.stringify(json);
      await tx.query(`INSERT INTO registry_models (${MODEL_COLUMNS}) VALUES (${MODEL_PLACEHOLDERS})`, values);
    }
    await tx.query(
      "INSERT INTO registry_changes (revision, seq, kind, type, key, payload) VALUES ($1, 0, 'model', $2, $3, $4::jsonb)",
      [revision.toString(), type, `${model.name}/${model.version}`, JSON.stringify(json)],
    );
    return revision;
  });
}

/** The messages of a snapshot, from the `reset` one to the one that completes it. */
async function snapshotOf<T extends { snapshotComplete: boolean }>(watch: StreamReader<T>): Promise<T[]> {
  const messages = [await watch.next()];
  while (!messages[messages.length - 1]!.snapshotComplete) messages.push(await watch.next());
  return messages;
}

const sizeOf = (message: WatchModelsResponse): number => toBinary(WatchModelsResponseSchema, message).length;
const describeChange = (change: WatchModelsResponse["changes"][number]): string =>
  `${ChangeType[change.type]} ${change.model?.name}@${change.model?.version}`;

describe.each(drivers)("watch messages within the limits, whatever is stored, on %s", (driver) => {
  let backend: Backend;
  let registry: Registry;

  beforeAll(async () => {
    backend = await backendFor(driver);
    registry = await backend.open();
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  const watchModels = (on: Registry, since: bigint): StreamReader<WatchModelsResponse> =>
    readStream((signal) => on.client.watchModels({ sinceRevision: since }, { signal, timeoutMs: 120_000 }));

  const withheldLines = (kind: string): Record<string, unknown>[] =>
    registry.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line["msg"] === `a stored ${kind} cannot be sent to watchers; they treat it as absent`);

  it("leaves a stored model larger than a message out of the snapshot, logs its name and the fix, and sends the others", async () => {
    const huge = hugeModel(uniqueName("huge"));
    await storeStraight(registry.db, huge);
    const fine = (await registry.client.registerModel({ model: validModel({ name: uniqueName() }) })).model!;
    const watch = watchModels(registry, 0n);
    try {
      const snapshot = await snapshotOf(watch);
      const names = snapshot.flatMap((m) => m.changes.map((c) => c.model?.name));
      expect(names).toContain(fine.name);
      expect(names).not.toContain(huge.name);
      expect(Math.max(...snapshot.map(sizeOf))).toBeLessThanOrEqual(MiB);
    } finally {
      await watch.close();
    }
    expect(withheldLines("model").find((line) => line["name"] === huge.name)).toMatchObject({
      level: "error",
      version: "1",
      reason: "it is larger than a watch message may be",
      bytes: expect.any(Number),
      fix: expect.stringMatching(/UpdateModel .* or deregister it/),
    });
  });

  it("sends a live change of a model too large to send as a DELETE of its key, so that watchers drop it, and goes on", async () => {
    const name = uniqueName("grown");
    await registry.client.registerModel({ model: validModel({ name }) });
    const watch = watchModels(registry, await registry.store.revision());
    try {
      const next = uniqueName();
      const { message } = await nextAfterWrite(registry, watch, async () => {
        await storeStraight(registry.db, hugeModel(name), "DELETE");
        await storeStraight(registry.db, hugeModel(uniqueName("huge")));
        return registry.client.registerModel({ model: validModel({ name: next }) });
      });
      const messages = [message];
      while (!messages.some((m) => m.changes.some((c) => c.model?.name === next))) messages.push(await watch.next());
      const changes = messages.flatMap((m) => m.changes);
      expect(changes.map(describeChange)).toEqual([`DELETE ${name}@1`, `DELETE ${changes[1]?.model?.name}@1`, `PUT ${next}@1`]);
      expect(changes[0]?.model).toEqual(create(ModelSchema, { name, version: "1" }));
      expect(changes[1]?.model).toEqual(create(ModelSchema, { name: changes[1]?.model?.name ?? "", version: "1" }));
      expect(Math.max(...messages.map(sizeOf))).toBeLessThanOrEqual(MiB);
    } finally {
      await watch.close();
    }
  });

  it("withholds a stored model that cannot be read, and sends the others", async () => {
    const broken = validModel({ name: uniqueName("broken") });
    await storeStraight(registry.db, broken, "PUT", { name: broken.name, version: "1", labels: ["not", "a", "map"] });
    const fine = (await registry.client.registerModel({ model: validModel({ name: uniqueName() }) })).model!;
    const watch = watchModels(registry, 0n);
    try {
      const names = (await snapshotOf(watch)).flatMap((m) => m.changes.map((c) => c.model?.name));
      expect(names).toContain(fine.name);
      expect(names).not.toContain(broken.name);
    } finally {
      await watch.close();
    }
    expect(withheldLines("model").find((line) => line["name"] === broken.name)).toMatchObject({ reason: "it cannot be read" });
  });

  it("leaves a stored policy larger than a message out of the snapshot", async () => {
    const huge = validPolicy(uniqueName("policy"), "m", { description: "x".repeat(MiB + 1000) });
    await registry.db.transaction(async (tx) => {
      const { rows } = await tx.query("UPDATE registry_revision SET revision = revision + 1 RETURNING revision");
      await tx.query(
        "INSERT INTO registry_policies (name, create_time, update_time, revision, body) VALUES ($1, now(), now(), $2::bigint, $3::jsonb)",
        [huge.name, String(rows[0]?.["revision"]), JSON.stringify(toJson(PolicySchema, huge))],
      );
    });
    const fine = (await registry.client.applyPolicy({ policy: validPolicy(uniqueName("policy"), "m") })).policy!;
    const watch = readStream<WatchPoliciesResponse>((signal) => registry.client.watchPolicies({}, { signal, timeoutMs: 120_000 }));
    try {
      const snapshot = await snapshotOf(watch);
      const names = snapshot.flatMap((m) => m.changes.map((c) => c.policy?.name));
      expect(names).toContain(fine.name);
      expect(names).not.toContain(huge.name);
      expect(Math.max(...snapshot.map((m) => toBinary(WatchPoliciesResponseSchema, m).length))).toBeLessThanOrEqual(MiB);
    } finally {
      await watch.close();
    }
    expect(withheldLines("policy").find((line) => line["name"] === huge.name)).toMatchObject({
      fix: expect.stringMatching(/ApplyPolicy, or delete it/),
    });
  });

  describe("with 1 KiB messages", () => {
    let small: Registry;
    const maxBytes = 1024;
    const name = uniqueName("a-model-with-a-long-name-so-that-keys-add-up");
    const versions = Array.from({ length: 40 }, (_, i) => `v${String(i).padStart(2, "0")}`);

    beforeAll(async () => {
      small = await backend.openFresh({ service: { watchLimits: { maxBytes } } });
      for (const version of versions) await small.client.registerModel({ model: validModel({ name, version }) });
    }, 120_000);

    afterAll(async () => {
      await small?.close();
    });

    it("splits a snapshot by encoded size: no message is larger than the limit", async () => {
      const watch = watchModels(small, 0n);
      try {
        const snapshot = await snapshotOf(watch);
        expect(snapshot.length).toBeGreaterThan(5);
        expect(Math.max(...snapshot.map(sizeOf))).toBeLessThanOrEqual(maxBytes);
        expect(snapshot.flatMap((m) => m.changes.map((c) => c.model?.version))).toEqual(versions);
      } finally {
        await watch.close();
      }
    });

    it("cuts a revision larger than a message: the parts before the last carry the revision before it, and a reconnect replays it whole", async () => {
      const before = await small.store.revision();
      const watch = watchModels(small, before);
      const parts: WatchModelsResponse[] = [];
      try {
        const { message } = await nextAfterWrite(small, watch, () => small.client.deregisterModel({ name }));
        parts.push(message);
        while (parts[parts.length - 1]!.revision === before) parts.push(await watch.next());
      } finally {
        await watch.close();
      }
      const removedAt = before + 1n;
      expect(parts.length).toBeGreaterThan(1);
      expect(parts.map((p) => p.revision)).toEqual([...parts.slice(1).map(() => before), removedAt]);
      expect(Math.max(...parts.map(sizeOf))).toBeLessThanOrEqual(maxBytes);
      const changes = parts.flatMap((p) => p.changes);
      expect(changes.map(describeChange)).toEqual(versions.map((v) => `DELETE ${name}@${v}`));
      expect(changes.every((c) => c.revision === removedAt)).toBe(true);

      const again = watchModels(small, before);
      try {
        const replayed: WatchModelsResponse[] = [await again.next()];
        while (replayed[replayed.length - 1]!.revision === before) replayed.push(await again.next());
        expect(replayed.flatMap((p) => p.changes).map(describeChange)).toEqual(changes.map(describeChange));
      } finally {
        await again.close();
      }
    });
  });
});
