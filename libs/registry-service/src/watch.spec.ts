import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  ChangeType,
  ModelSchema,
  PolicySchema,
  type Model,
  type WatchModelsResponse,
  type WatchPoliciesResponse,
} from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import {
  backendFor,
  nextAfterWrite,
  readStream,
  rpcErrorOf,
  uniqueName,
  validModel,
  validPolicy,
  type Backend,
  type Driver,
  type Registry,
  type StreamReader,
} from "./registry.test-support.js";

const drivers: Driver[] = ["pglite", "postgres"];

/** A change as `type name@version rrevision`, for compact expectations. */
function describeChange(change: WatchModelsResponse["changes"][number]): string {
  return `${ChangeType[change.type]} ${change.model?.name}@${change.model?.version} r${change.revision}`;
}

describe.each(drivers)("watch streams on %s", (driver) => {
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

  const register = async (name: string, version = "1"): Promise<Model> =>
    (await registry.client.registerModel({ model: validModel({ name, version }) })).model!;

  const watchModels = (since: bigint): StreamReader<WatchModelsResponse> =>
    readStream((signal) => registry.client.watchModels({ sinceRevision: since }, { signal, timeoutMs: 120_000 }));

  /** Every model version, read through ListModels page by page. */
  const allModels = async (): Promise<Model[]> => {
    const models: Model[] = [];
    let token = "";
    do {
      const page = await registry.client.listModels({ pageSize: 500, pageToken: token });
      models.push(...page.models);
      token = page.nextPageToken;
    } while (token !== "");
    return models;
  };

  it("from revision 0: the whole catalogue in one reset message at the current revision, then each change as it commits", async () => {
    const a = uniqueName();
    await register(a, "1");
    await register(a, "2");
    const watch = watchModels(0n);
    try {
      const first = await watch.next();
      expect(first.reset).toBe(true);
      expect(first.snapshotComplete).toBe(true);
      expect(first.revision).toBe(await registry.store.revision());
      expect(first.changes.every((c) => c.type === ChangeType.PUT)).toBe(true);
      expect(first.changes.map((c) => c.model)).toEqual(await allModels());
      expect(first.changes.map((c) => c.revision)).toEqual(first.changes.map((c) => c.model!.revision));

      const { message: put, written: b } = await nextAfterWrite(registry, watch, () => register(uniqueName()));
      expect(put.reset).toBe(false);
      expect(put.snapshotComplete).toBe(false);
      expect(put.revision).toBe(b.revision);
      expect(put.changes.map(describeChange)).toEqual([`PUT ${b.name}@1 r${b.revision}`]);
      expect(put.changes[0]?.model).toEqual(b);

      const { message: deleted, written } = await nextAfterWrite(registry, watch, () =>
        registry.client.deregisterModel({ name: a }),
      );
      const removed = written.models;
      const at = deleted.revision;
      expect(deleted.changes.map(describeChange)).toEqual([`DELETE ${a}@1 r${at}`, `DELETE ${a}@2 r${at}`]);
      // A DELETE carries the key only, however large the model was.
      expect(deleted.changes.map((c) => c.model)).toEqual(removed.map((m) => create(ModelSchema, { name: m.name, version: m.version })));
    } finally {
      await watch.close();
    }
  });

  it("from revision N: every change after N in commit order, then live changes", async () => {
    const since = await registry.store.revision();
    const name = uniqueName();
    const registered = await register(name);
    const updated = (
      await registry.client.updateModel({
        model: validModel({ name, description: "updated" }),
        updateMask: create(FieldMaskSchema, { paths: ["description"] }),
      })
    ).model!;
    await registry.client.applyPolicy({ policy: validPolicy(uniqueName("policy"), name) });
    await registry.client.deregisterModel({ name, version: "1" });
    const last = await registry.store.revision();

    const watch = watchModels(since);
    try {
      const replay = await watch.next();
      expect(replay.reset).toBe(false);
      expect(replay.revision).toBe(last);
      expect(replay.changes.map(describeChange)).toEqual([
        `PUT ${name}@1 r${registered.revision}`,
        `PUT ${name}@1 r${updated.revision}`,
        `DELETE ${name}@1 r${last}`,
      ]);
      expect(replay.changes[1]?.model?.description).toBe("updated");
      const { message, written: live } = await nextAfterWrite(registry, watch, () => register(uniqueName()));
      expect(message.changes.map(describeChange)).toEqual([`PUT ${live.name}@1 r${live.revision}`]);
    } finally {
      await watch.close();
    }
  });

  it("resumes after reconnecting at its last revision without losing or repeating a change", async () => {
    const since = await registry.store.revision();
    const name = uniqueName();
    const writes = 24;
    const written = (async () => {
      const revisions: bigint[] = [];
      for (let i = 0; i < writes; i++) revisions.push((await register(name, String(i))).revision);
      return revisions;
    })();

    const received: bigint[] = [];
    let cursor = since;
    let connections = 0;
    while (received.length < writes) {
      connections++;
      const watch = watchModels(cursor);
      try {
        // Read two messages per connection, then drop it, as a flaky network would.
        for (let read = 0; read < 2 && received.length < writes; read++) {
          const message = await watch.next();
          expect(message.reset).toBe(false);
          received.push(...message.changes.map((c) => c.revision));
          cursor = message.revision;
        }
      } finally {
        await watch.close();
      }
    }
    expect(received).toEqual(await written);
    expect(connections).toBeGreaterThan(1);
  });

  it("never holds up writers: a watcher that reads nothing while 40 writes commit then receives them all in order", async () => {
    const since = await registry.store.revision();
    const watch = watchModels(since);
    try {
      const name = uniqueName();
      const revisions: bigint[] = [];
      for (let i = 0; i < 40; i++) revisions.push((await register(name, String(i))).revision);
      const received: bigint[] = [];
      while (received.length < revisions.length) received.push(...(await watch.next()).changes.map((c) => c.revision));
      expect(received).toEqual(revisions);
    } finally {
      await watch.close();
    }
  });

  it("streams policies the same way: the state, then applies and deletes", async () => {
    const model = await register(uniqueName());
    const name = uniqueName("policy");
    const applied = (await registry.client.applyPolicy({ policy: validPolicy(name, model.name) })).policy!;
    const watch = readStream<WatchPoliciesResponse>((signal) =>
      registry.client.watchPolicies({ sinceRevision: 0n }, { signal, timeoutMs: 120_000 }),
    );
    try {
      const first = await watch.next();
      expect(first.reset).toBe(true);
      expect(first.revision).toBe(await registry.store.revision());
      expect(first.changes.find((c) => c.policy?.name === name)?.policy).toEqual(applied);
      await register(uniqueName());
      const { message: next, written } = await nextAfterWrite(registry, watch, () => registry.client.deletePolicy({ name }));
      expect(written.policy?.name).toBe(name);
      expect(next.changes.map((c) => [ChangeType[c.type], c.policy?.name])).toEqual([["DELETE", name]]);
      expect(next.changes[0]?.policy).toEqual(create(PolicySchema, { name }));
    } finally {
      await watch.close();
    }
  });

  it("starts with a reset when since_revision is beyond the registry's (a revision of another database)", async () => {
    const watch = watchModels((await registry.store.revision()) + 1000n);
    try {
      const first = await watch.next();
      expect(first.reset).toBe(true);
      expect(first.revision).toBe(await registry.store.revision());
    } finally {
      await watch.close();
    }
  });

  it("rejects a negative since_revision", async () => {
    const error = await rpcErrorOf(
      (async () => {
        for await (const _ of registry.client.watchModels({ sinceRevision: -1n })) break;
      })(),
    );
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.violations.map((v) => v.field)).toEqual(["since_revision"]);
  });

  describe("with small messages", () => {
    let small: Registry;

    beforeAll(async () => {
      small = await backend.openFresh({ service: { watchLimits: { maxChanges: 2 } } });
    }, 120_000);

    afterAll(async () => {
      await small?.close();
    });

    it("splits the snapshot: the first message resets, the others follow at the same revision, the last completes it; a revision is never split", async () => {
      const name = uniqueName();
      for (const version of ["1", "2", "3", "4", "5"]) {
        await small.client.registerModel({ model: validModel({ name, version }) });
      }
      const revision = await small.store.revision();
      const watch = readStream<WatchModelsResponse>((signal) => small.client.watchModels({}, { signal, timeoutMs: 120_000 }));
      try {
        const messages = [await watch.next(), await watch.next(), await watch.next()];
        expect(messages.map((m) => [m.reset, m.snapshotComplete, m.revision, m.changes.length])).toEqual([
          [true, false, revision, 2],
          [false, false, revision, 2],
          [false, true, revision, 1],
        ]);
        expect(messages.flatMap((m) => m.changes.map((c) => c.model?.version))).toEqual(["1", "2", "3", "4", "5"]);

        const { message: removal } = await nextAfterWrite(small, watch, () => small.client.deregisterModel({ name }));
        expect(removal.changes.map((c) => [ChangeType[c.type], c.model?.version])).toEqual([
          ["DELETE", "1"],
          ["DELETE", "2"],
          ["DELETE", "3"],
          ["DELETE", "4"],
          ["DELETE", "5"],
        ]);
        expect(new Set(removal.changes.map((c) => c.revision))).toEqual(new Set([removal.revision]));
      } finally {
        await watch.close();
      }
    });

    it("ends every watch when the store closes", async () => {
      const watch = readStream<WatchModelsResponse>((signal) => small.client.watchModels({}, { signal, timeoutMs: 120_000 }));
      await watch.next();
      const ended = expect(watch.next()).rejects.toThrow(/the stream ended/);
      await small.close();
      await ended;
    });
  });
});
