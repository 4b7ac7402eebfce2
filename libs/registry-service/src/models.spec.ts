import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema, timestampMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type ClassificationPostprocessing, type ImagePreprocessing, Modality, ModelStatus, type Model } from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import {
  backendFor,
  onnxOf,
  rpcErrorOf,
  uniqueName,
  validModel,
  type Backend,
  type Driver,
  type Registry,
} from "./registry.test-support.js";

const drivers: Driver[] = ["pglite", "postgres"];

describe.each(drivers)("model versions on %s", (driver) => {
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

  const register = async (model: Model): Promise<Model> => {
    const response = await registry.client.registerModel({ model });
    return response.model!;
  };

  describe("RegisterModel", () => {
    it("stores the version with server-set revision and times, ACTIVE by default, ignoring output-only input", async () => {
      const name = uniqueName();
      const before = await registry.store.revision();
      const model = await register(validModel({ name, revision: 999n, createTime: { seconds: 1n } }));
      expect(model.revision).toBe(before + 1n);
      expect(model.status).toBe(ModelStatus.ACTIVE);
      expect(model.createTime).toBeDefined();
      expect(timestampMs(model.createTime!)).toBeGreaterThan(Date.UTC(2020, 0, 1));
      expect(model.updateTime).toEqual(model.createTime);
      const read = await registry.client.getModel({ name, version: "1" });
      expect(read.model).toEqual(model);
    });

    it("reports every problem of an invalid model at once, each at its path", async () => {
      const bad = validModel({
        name: "Bad_Name",
        version: "-1",
        modality: Modality.UNSPECIFIED,
        labels: { "bad key!": "x", ok: "not ok!" },
        metrics: { accuracy: 1.5, f1: -0.1, p50LatencyMs: -1 },
        status: 42 as ModelStatus,
      });
      const onnx = onnxOf(bad);
      onnx.uri = "../../etc/passwd.onnx";
      onnx.sha256 = "XYZ";
      const image = onnx.preprocessing!.kind.value as ImagePreprocessing;
      image.width = 0;
      image.height = 5000;
      image.mean = [0.1, 0.2];
      image.std = [0];
      const classification = onnx.postprocessing!.kind.value as ClassificationPostprocessing;
      classification.labels = ["cat", "dog", "cat"];

      const error = await rpcErrorOf(registry.client.registerModel({ model: bad }));
      expect(error.code).toBe(Code.INVALID_ARGUMENT);
      expect(error.reason).toBe("INVALID_FIELD");
      expect(error.violations.map((v) => v.field).sort()).toEqual(
        [
          "model.name",
          "model.version",
          "model.modality",
          'model.labels["bad key!"]',
          'model.labels["ok"]',
          "model.metrics.accuracy",
          "model.metrics.f1",
          "model.metrics.p50_latency_ms",
          "model.status",
          "model.backend.onnx.uri",
          "model.backend.onnx.sha256",
          "model.backend.onnx.preprocessing.image.width",
          "model.backend.onnx.preprocessing.image.height",
          "model.backend.onnx.preprocessing.image.mean",
          "model.backend.onnx.preprocessing.image.std[0]",
          "model.backend.onnx.postprocessing.classification.labels[2]",
        ].sort(),
      );
      for (const violation of error.violations) expect(violation.description.length).toBeGreaterThan(10);
      expect(error.message).toContain("model.backend.onnx.uri");
    });

    it.each([
      ["an http URL", "https://models.example.com/x.onnx", /has the "https:" scheme, but the executor reads local files only/],
      ["an empty uri", "", /is required/],
      ["an absolute path", "/dev/zero", /is an absolute path/],
      ["a file:// URL", "file:///etc/shadow", /is a file: URL/],
      ["a file:// URL escaping with ..", "file:///models/%2e%2e/secret.onnx", /is a file: URL/],
      ["a .. segment", "../../../../etc/passwd", /".." segment/],
      ["a Windows-style .. segment", "models\\..\\x.onnx", /backslash/],
      ["a NUL character", "model.onnx\u0000.txt", /NUL/],
      ["a folder", "digits-general/", /names a folder/],
      ["2,049 characters", `${"a".repeat(2044)}.onnx`, /is 2049 characters long: keep it to at most 2048/],
    ])("rejects an ONNX backend with %s, saying that files are resolved under the executor's model root", async (_what, uri, expected) => {
      const model = validModel({ name: uniqueName() });
      onnxOf(model).uri = uri;
      const error = await rpcErrorOf(registry.client.registerModel({ model }));
      expect(error.violations).toEqual([{ field: "model.backend.onnx.uri", description: expect.stringMatching(expected) }]);
      expect(error.violations[0]!.description).toContain("MODELROUTER_MODEL_ROOT");
    });

    it.each([
      ["upper-case hex", "A".repeat(64)],
      ["63 hex digits", "a".repeat(63)],
      ["65 hex digits", "a".repeat(65)],
      ["not hex", "g".repeat(64)],
    ])("rejects a sha256 of %s: 64 lower-case hex digits or empty", async (_what, sha256) => {
      const model = validModel({ name: uniqueName() });
      onnxOf(model).sha256 = sha256;
      const error = await rpcErrorOf(registry.client.registerModel({ model }));
      expect(error.violations).toEqual([{ field: "model.backend.onnx.sha256", description: expect.stringMatching(/64 lower-case hex digits/) }]);
    });

    it("accepts a path relative to the model root, a sha256, and a model without optional parts", async () => {
      const minimal = validModel({
        name: uniqueName(),
        labels: {},
        metrics: undefined,
        backend: { kind: { case: "onnx", value: { uri: "a/model.onnx" } } },
      });
      await expect(register(minimal)).resolves.toMatchObject({ name: minimal.name, labels: {} });
      const checked = validModel({
        name: uniqueName(),
        backend: { kind: { case: "onnx", value: { uri: "./b/model.onnx", sha256: "0123456789abcdef".repeat(4) } } },
      });
      await expect(register(checked)).resolves.toMatchObject({ name: checked.name });
    });

    it("requires the model, its modality and its backend", async () => {
      expect((await rpcErrorOf(registry.client.registerModel({}))).violations.map((v) => v.field)).toEqual(["model"]);
      const error = await rpcErrorOf(
        registry.client.registerModel({ model: { name: uniqueName(), version: "1" } }),
      );
      expect(error.violations.map((v) => v.field)).toEqual(["model.modality", "model.backend"]);
    });

    it("refuses a (name, version) that is registered: ALREADY_EXISTS, MODEL_VERSION_EXISTS", async () => {
      const name = uniqueName();
      await register(validModel({ name }));
      const before = await registry.store.revision();
      const error = await rpcErrorOf(registry.client.registerModel({ model: validModel({ name }) }));
      expect(error.code).toBe(Code.ALREADY_EXISTS);
      expect(error.reason).toBe("MODEL_VERSION_EXISTS");
      expect(error.metadata).toEqual({ name, version: "1" });
      expect(await registry.store.revision()).toBe(before);
    });
  });

  describe("GetModel", () => {
    it("returns the latest active or deprecated version by create time when no version is named", async () => {
      const name = uniqueName();
      await register(validModel({ name, version: "1" }));
      await register(validModel({ name, version: "2", status: ModelStatus.DEPRECATED }));
      await register(validModel({ name, version: "3", status: ModelStatus.STAGING }));
      await register(validModel({ name, version: "0.9", status: ModelStatus.RETIRED }));
      const latest = await registry.client.getModel({ name });
      expect(latest.model?.version).toBe("2");
      expect((await registry.client.getModel({ name, version: "3" })).model?.status).toBe(ModelStatus.STAGING);
    });

    it("fails with NOT_FOUND for an unknown model or version, and for a model with no servable version", async () => {
      const name = uniqueName();
      const unknown = await rpcErrorOf(registry.client.getModel({ name }));
      expect([unknown.code, unknown.reason, unknown.metadata]).toEqual([Code.NOT_FOUND, "MODEL_NOT_FOUND", { name }]);
      await register(validModel({ name, version: "1", status: ModelStatus.STAGING }));
      const noVersion = await rpcErrorOf(registry.client.getModel({ name, version: "2" }));
      expect(noVersion.metadata).toEqual({ name, version: "2" });
      const notServable = await rpcErrorOf(registry.client.getModel({ name }));
      expect(notServable.code).toBe(Code.NOT_FOUND);
      expect(notServable.message).toMatch(/no active or deprecated version/);
    });

    it("checks the name and version syntax", async () => {
      const error = await rpcErrorOf(registry.client.getModel({ name: "", version: "bad version" }));
      expect(error.violations.map((v) => v.field)).toEqual(["name", "version"]);
    });
  });

  describe("ListModels", () => {
    it("filters by name, task, modality, labels and status (all must hold)", async () => {
      const task = uniqueName("task");
      const a = uniqueName("a");
      const b = uniqueName("b");
      await register(validModel({ name: a, version: "1", task, labels: { tier: "gold", domain: "x" } }));
      await register(validModel({ name: a, version: "2", task, labels: { tier: "silver" }, status: ModelStatus.STAGING }));
      await register(validModel({ name: b, version: "1", task, modality: Modality.TEXT, labels: { tier: "gold" } }));
      const list = async (filters: Parameters<Registry["client"]["listModels"]>[0]): Promise<string[]> =>
        (await registry.client.listModels({ task, ...filters })).models.map((m) => `${m.name}@${m.version}`);

      expect(await list({})).toEqual([`${a}@1`, `${a}@2`, `${b}@1`]);
      expect(await list({ name: a })).toEqual([`${a}@1`, `${a}@2`]);
      expect(await list({ modality: Modality.TEXT })).toEqual([`${b}@1`]);
      expect(await list({ labels: { tier: "gold" } })).toEqual([`${a}@1`, `${b}@1`]);
      expect(await list({ labels: { tier: "gold", domain: "x" } })).toEqual([`${a}@1`]);
      expect(await list({ status: ModelStatus.STAGING })).toEqual([`${a}@2`]);
      expect(await list({ name: b, status: ModelStatus.STAGING })).toEqual([]);
    });

    it("pages through every match in (name, version) order, the last page without a token", async () => {
      const task = uniqueName("task");
      const names = [uniqueName("p"), uniqueName("q")];
      const expected: string[] = [];
      for (const name of names) {
        for (const version of ["1", "10", "2", "A"]) {
          await register(validModel({ name, version, task }));
          expected.push(`${name}@${version}`);
        }
      }
      expected.sort((x, y) => (x < y ? -1 : 1));
      const seen: string[] = [];
      const sizes: number[] = [];
      let token = "";
      do {
        const page = await registry.client.listModels({ task, pageSize: 3, pageToken: token });
        sizes.push(page.models.length);
        seen.push(...page.models.map((m) => `${m.name}@${m.version}`));
        token = page.nextPageToken;
      } while (token !== "");
      expect(sizes).toEqual([3, 3, 2]);
      expect(seen).toEqual(expected);
    });

    it("serves 50 versions per page when no page size is given", async () => {
      const task = uniqueName("task");
      const name = uniqueName();
      for (let i = 0; i < 51; i++) await register(validModel({ name, version: `v${String(i).padStart(3, "0")}`, task }));
      const first = await registry.client.listModels({ task });
      expect(first.models).toHaveLength(50);
      const second = await registry.client.listModels({ task, pageToken: first.nextPageToken });
      expect(second.models.map((m) => m.version)).toEqual(["v050"]);
      expect(second.nextPageToken).toBe("");
    });

    it("rejects a garbage token, a token used with other filters, and a negative page size", async () => {
      const task = uniqueName("task");
      for (const version of ["1", "2"]) await register(validModel({ name: uniqueName(), version, task }));
      const { nextPageToken } = await registry.client.listModels({ task, pageSize: 1 });
      expect(nextPageToken).not.toBe("");

      for (const request of [
        { task, pageToken: "not a token!" },
        { task, pageToken: Buffer.from('{"f":"x","a":{}}').toString("base64url") },
        { task, pageToken: nextPageToken, modality: Modality.TEXT },
        { task: `${task}-other`, pageToken: nextPageToken },
      ]) {
        const error = await rpcErrorOf(registry.client.listModels(request));
        expect([error.code, error.reason]).toEqual([Code.INVALID_ARGUMENT, "INVALID_FIELD"]);
        expect(error.violations.map((v) => v.field)).toEqual(["page_token"]);
      }
      const negative = await rpcErrorOf(registry.client.listModels({ task, pageSize: -1 }));
      expect(negative.violations.map((v) => v.field)).toEqual(["page_size"]);
      await expect(registry.client.listModels({ task, pageSize: 1, pageToken: nextPageToken })).resolves.toBeDefined();
    });
  });

  describe("UpdateModel", () => {
    const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

    it("changes only the masked fields, at a new revision, keeping the create time", async () => {
      const name = uniqueName();
      const registered = await register(validModel({ name }));
      const change = validModel({
        name,
        task: "something-else",
        description: "new description",
        labels: { tier: "gold" },
        status: ModelStatus.DEPRECATED,
        metrics: undefined,
      });
      const { model } = await registry.client.updateModel({
        model: change,
        updateMask: mask("description", "labels", "status", "metrics"),
      });
      expect(model?.revision).toBeGreaterThan(registered.revision);
      expect(model?.description).toBe("new description");
      expect(model?.labels).toEqual({ tier: "gold" });
      expect(model?.status).toBe(ModelStatus.DEPRECATED);
      expect(model?.metrics).toBeUndefined();
      expect(model?.task).toBe(registered.task);
      expect(model?.backend).toEqual(registered.backend);
      expect(model?.createTime).toEqual(registered.createTime);
      expect(timestampMs(model!.updateTime!)).toBeGreaterThanOrEqual(timestampMs(registered.updateTime!));
      expect((await registry.client.getModel({ name, version: "1" })).model).toEqual(model);
    });

    it("names every unknown or immutable mask path, and checks the new values", async () => {
      const name = uniqueName();
      await register(validModel({ name }));
      const error = await rpcErrorOf(
        registry.client.updateModel({
          model: validModel({ name, labels: { "bad key!": "x" } }),
          updateMask: mask("description", "backend", "labels", "nonsense"),
        }),
      );
      expect(error.code).toBe(Code.INVALID_ARGUMENT);
      expect(error.violations.map((v) => v.field)).toEqual([
        "update_mask.paths[1]",
        "update_mask.paths[3]",
        'model.labels["bad key!"]',
      ]);
      expect(error.violations[0]?.description).toMatch(/register a new version/);
      const empty = await rpcErrorOf(registry.client.updateModel({ model: validModel({ name }) }));
      expect(empty.violations.map((v) => v.field)).toEqual(["update_mask"]);
    });

    it("fails with ABORTED REVISION_CONFLICT when expected_revision is not the current one", async () => {
      const name = uniqueName();
      const registered = await register(validModel({ name }));
      const stale = registered.revision;
      const first = await registry.client.updateModel({
        model: validModel({ name, description: "first" }),
        updateMask: mask("description"),
        expectedRevision: stale,
      });
      const error = await rpcErrorOf(
        registry.client.updateModel({
          model: validModel({ name, description: "second" }),
          updateMask: mask("description"),
          expectedRevision: stale,
        }),
      );
      expect([error.code, error.reason]).toEqual([Code.ABORTED, "REVISION_CONFLICT"]);
      expect(error.metadata).toEqual({
        expectedRevision: stale.toString(),
        actualRevision: first.model!.revision.toString(),
      });
      expect((await registry.client.getModel({ name, version: "1" })).model?.description).toBe("first");
    });

    it("fails with NOT_FOUND for a version that is not registered", async () => {
      const error = await rpcErrorOf(
        registry.client.updateModel({ model: validModel({ name: uniqueName() }), updateMask: mask("description") }),
      );
      expect([error.code, error.reason]).toEqual([Code.NOT_FOUND, "MODEL_NOT_FOUND"]);
    });
  });

  describe("DeregisterModel", () => {
    it("removes one version, returning it", async () => {
      const name = uniqueName();
      await register(validModel({ name, version: "1" }));
      const two = await register(validModel({ name, version: "2" }));
      const { models } = await registry.client.deregisterModel({ name, version: "2", expectedRevision: two.revision });
      expect(models).toEqual([two]);
      expect((await registry.client.listModels({ name })).models.map((m) => m.version)).toEqual(["1"]);
    });

    it("removes every version when no version is named", async () => {
      const name = uniqueName();
      for (const version of ["1", "2", "3"]) await register(validModel({ name, version }));
      const { models } = await registry.client.deregisterModel({ name });
      expect(models.map((m) => m.version)).toEqual(["1", "2", "3"]);
      expect((await registry.client.listModels({ name })).models).toEqual([]);
      expect((await rpcErrorOf(registry.client.deregisterModel({ name }))).code).toBe(Code.NOT_FOUND);
    });

    it("refuses a stale expected_revision, and expected_revision without a version", async () => {
      const name = uniqueName();
      const one = await register(validModel({ name }));
      const conflict = await rpcErrorOf(
        registry.client.deregisterModel({ name, version: "1", expectedRevision: one.revision - 1n }),
      );
      expect(conflict.code).toBe(Code.ABORTED);
      expect(conflict.metadata["actualRevision"]).toBe(one.revision.toString());
      const noVersion = await rpcErrorOf(registry.client.deregisterModel({ name, expectedRevision: one.revision }));
      expect(noVersion.violations.map((v) => v.field)).toEqual(["expected_revision"]);
      expect((await registry.client.getModel({ name, version: "1" })).model).toEqual(one);
    });
  });

  describe("revisions", () => {
    it("gives parallel writes distinct, increasing revisions with no gaps", async () => {
      const name = uniqueName();
      const before = await registry.store.revision();
      const models = await Promise.all(
        Array.from({ length: 20 }, (_, i) => register(validModel({ name, version: String(i) }))),
      );
      const revisions = models.map((m) => m.revision).sort((x, y) => (x < y ? -1 : 1));
      expect(revisions).toEqual(Array.from({ length: 20 }, (_, i) => before + BigInt(i + 1)));
      expect(await registry.store.revision()).toBe(before + 20n);
    });
  });
});
