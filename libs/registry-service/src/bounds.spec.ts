import { create, toBinary } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  type ClassificationPostprocessing,
  type ImagePreprocessing,
  LabelOperator,
  ListModelsResponseSchema,
  type Modality,
  type Model,
  type ModelStatus,
} from "@modelrouter/contracts";
import { Code } from "@modelrouter/rpc-kit";
import {
  backendFor,
  manyLabels,
  onnxOf,
  rpcErrorOf,
  uniqueName,
  validModel,
  validPolicy,
  type Backend,
  type Driver,
  type Registry,
} from "./registry.test-support.js";

const drivers: Driver[] = ["pglite", "postgres"];
const MiB = 1 << 20;

/** A classification model with `count` class labels of `length` characters. */
function withClassLabels(model: Model, count: number, length = 8): Model {
  const post = onnxOf(model).postprocessing!.kind.value as ClassificationPostprocessing;
  post.labels = Array.from({ length: count }, (_, i) => String(i).padStart(length, "x"));
  post.topK = 1;
  return model;
}

describe.each(drivers)("what a resource may hold, on %s", (driver) => {
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

  const fields = async (call: Promise<unknown>): Promise<string[]> => {
    const error = await rpcErrorOf(call);
    expect([error.code, error.reason]).toEqual([Code.INVALID_ARGUMENT, "INVALID_FIELD"]);
    return error.violations.map((v) => v.field);
  };

  describe("RegisterModel", () => {
    it("refuses more than 64 labels at model.labels, checking only the first 64 one by one", async () => {
      const labels = { ...manyLabels(64), "bad key!": "x" };
      const error = await rpcErrorOf(registry.client.registerModel({ model: validModel({ name: uniqueName(), labels }) }));
      expect(error.violations).toEqual([
        { field: "model.labels", description: "has 65 labels; at most 64 are allowed: keep the ones policies select on, and put the rest in the description" },
      ]);
      await expect(registry.client.registerModel({ model: validModel({ name: uniqueName(), labels: manyLabels(64) }) })).resolves.toBeDefined();
    });

    it("refuses texts and lists beyond their bounds, each at its path", async () => {
      const model = validModel({ name: uniqueName(), description: "d".repeat(4097), task: "t".repeat(257) });
      const onnx = onnxOf(model);
      onnx.uri = `${"a/".repeat(1100)}m.onnx`;
      onnx.inputName = "i".repeat(257);
      onnx.outputName = "o".repeat(257);
      model.metrics!.dataset = "s".repeat(257);
      const image = onnx.preprocessing!.kind.value as ImagePreprocessing;
      image.mean = Array.from({ length: 100_000 }, () => Number.NaN);
      withClassLabels(model, 4097);
      expect((await fields(registry.client.registerModel({ model }))).sort()).toEqual(
        [
          "model.description",
          "model.task",
          "model.backend.onnx.uri",
          "model.backend.onnx.input_name",
          "model.backend.onnx.output_name",
          "model.metrics.dataset",
          "model.backend.onnx.preprocessing.image.mean",
          "model.backend.onnx.preprocessing.image.mean[0]",
          "model.backend.onnx.postprocessing.classification.labels",
          "model",
        ].sort(),
      );
    });

    it("reports at most 10 problems of one list item by item, and counts the rest", async () => {
      const model = withClassLabels(validModel({ name: uniqueName() }), 100);
      const post = onnxOf(model).postprocessing!.kind.value as ClassificationPostprocessing;
      post.labels = post.labels.map(() => "");
      const error = await rpcErrorOf(registry.client.registerModel({ model }));
      const path = "model.backend.onnx.postprocessing.classification.labels";
      expect(error.violations.map((v) => v.field)).toEqual([...Array.from({ length: 10 }, (_, i) => `${path}[${i}]`), path]);
      expect(error.violations[10]?.description).toMatch(/and 90 more items have problems/);
    });

    it("refuses a model over 64 KiB encoded at `model`, naming its largest fields", async () => {
      const model = withClassLabels(validModel({ name: uniqueName() }), 4000, 20);
      const error = await rpcErrorOf(registry.client.registerModel({ model }));
      expect(error.violations.map((v) => v.field)).toEqual(["model"]);
      expect(error.violations[0]?.description).toMatch(/^is [\d,]+ bytes encoded; a model version may be at most 65,536 \(64 KiB\): shrink its largest parts, model\.backend \(/);
    });
  });

  describe("UpdateModel", () => {
    it("refuses an update that would make the version larger than 64 KiB, and leaves it as it was", async () => {
      const name = uniqueName();
      const registered = (await registry.client.registerModel({ model: withClassLabels(validModel({ name }), 2800, 20) })).model!;
      const labels = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`example.com/key-${i}`, "v".repeat(63)]));
      const error = await rpcErrorOf(
        registry.client.updateModel({
          model: validModel({ name, description: "d".repeat(4096), labels }),
          updateMask: create(FieldMaskSchema, { paths: ["description", "labels"] }),
        }),
      );
      expect([error.code, error.violations.map((v) => v.field)]).toEqual([Code.INVALID_ARGUMENT, ["model"]]);
      expect(error.violations[0]?.description).toMatch(/at most 65,536/);
      expect((await registry.client.getModel({ name, version: "1" })).model).toEqual(registered);
    });

    it("refuses an update mask of more than 16 paths, checking only the first 16", async () => {
      const name = uniqueName();
      await registry.client.registerModel({ model: validModel({ name }) });
      const update = registry.client.updateModel({
        model: validModel({ name }),
        updateMask: create(FieldMaskSchema, { paths: Array.from({ length: 100_000 }, (_, i) => `field_${i}`) }),
      });
      const path = "update_mask.paths";
      expect(await fields(update)).toEqual([path, ...Array.from({ length: 10 }, (_, i) => `${path}[${i}]`), path]);
    });

    it("refuses more than 64 labels in an update", async () => {
      const name = uniqueName();
      await registry.client.registerModel({ model: validModel({ name }) });
      const update = registry.client.updateModel({
        model: validModel({ name, labels: manyLabels(1000) }),
        updateMask: create(FieldMaskSchema, { paths: ["labels"] }),
      });
      expect(await fields(update)).toEqual(["model.labels"]);
    });
  });

  describe("ApplyPolicy", () => {
    it("refuses a policy over 256 KiB encoded at `policy` before compiling it", async () => {
      const policy = validPolicy(uniqueName("policy"), "m", { description: "" });
      policy.rules = Array.from({ length: 200 }, (_, i) => ({
        ...policy.rules[0]!,
        name: `r${i}`,
        when: `input.modality == "image" || request.metadata["k"] == "${"x".repeat(1400)}"`,
      }));
      const error = await rpcErrorOf(registry.client.applyPolicy({ policy }));
      expect([error.reason, error.violations.map((v) => v.field)]).toEqual(["INVALID_FIELD", ["policy"]]);
      expect(error.violations[0]?.description).toMatch(/a policy may be at most 262,144 \(256 KiB\): shrink its largest parts, policy\.rules \(/);
    });

    it("refuses label selectors naming too many labels, expressions or values", async () => {
      const values = Array.from({ length: 65 }, (_, i) => `v${i}`);
      const policy = validPolicy(uniqueName("policy"), "m", {
        description: "x".repeat(4097),
        defaultRoute: {
          targets: [
            {
              kind: {
                case: "selector",
                value: {
                  matchLabels: manyLabels(65),
                  matchExpressions: [
                    { key: "tier", operator: LabelOperator.IN, values },
                    ...Array.from({ length: 64 }, () => ({ key: "x", operator: LabelOperator.EXISTS })),
                  ],
                },
              },
            },
          ],
        },
      });
      expect(await fields(registry.client.applyPolicy({ policy }))).toEqual([
        "policy.description",
        "policy.default_route.targets[0].selector.match_labels",
        "policy.default_route.targets[0].selector.match_expressions",
        "policy.default_route.targets[0].selector.match_expressions[0].values",
      ]);
    });
  });

  describe("responses", () => {
    it("end a ListModels page at about 1 MiB, with a token for the rest, and return removed models by key beyond 1 MiB", async () => {
      const name = uniqueName();
      const task = uniqueName("task");
      const versions = Array.from({ length: 20 }, (_, i) => String(i).padStart(2, "0"));
      for (const version of versions) {
        await registry.client.registerModel({ model: withClassLabels(validModel({ name, version, task }), 2700, 20) });
      }
      const first = await registry.client.listModels({ task, pageSize: 500 });
      expect(first.models.length).toBeGreaterThan(10);
      expect(first.models.length).toBeLessThan(20);
      expect(toBinary(ListModelsResponseSchema, first).length).toBeLessThanOrEqual(MiB + 100);
      const second = await registry.client.listModels({ task, pageSize: 500, pageToken: first.nextPageToken });
      expect([...first.models, ...second.models].map((m) => m.version)).toEqual(versions);
      expect(second.nextPageToken).toBe("");

      const { models } = await registry.client.deregisterModel({ name });
      expect(models.map((m) => [m.version, m.backend, m.revision > 0n])).toEqual(versions.map((v) => [v, undefined, true]));
    });
  });

  describe("ListModels and ListPolicies", () => {
    it("refuses filters no model can match and page tokens longer than any the registry makes", async () => {
      expect(
        await fields(
          registry.client.listModels({
            name: "Not A Name",
            task: "t".repeat(257),
            labels: manyLabels(65),
            modality: 99 as Modality,
            status: 99 as ModelStatus,
            pageToken: "a".repeat(1025),
          }),
        ),
      ).toEqual(["name", "task", "labels", "modality", "status", "page_token"]);
      expect(await fields(registry.client.listPolicies({ pageToken: "a".repeat(100_000) }))).toEqual(["page_token"]);
    });
  });
});

describe.each(drivers)("how many resources the registry holds, on %s", (driver) => {
  let backend: Backend;
  let registry: Registry;

  beforeAll(async () => {
    backend = await backendFor(driver);
    registry = await backend.openFresh({ store: { quotas: { maxModels: 3, maxPolicies: 2 } } });
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  it("refuses a model version beyond the most with RESOURCE_EXHAUSTED QUOTA_EXCEEDED, naming the limit and how to raise it", async () => {
    const name = uniqueName();
    for (const version of ["1", "2", "3"]) await registry.client.registerModel({ model: validModel({ name, version }) });
    const before = await registry.store.revision();
    const error = await rpcErrorOf(registry.client.registerModel({ model: validModel({ name, version: "4" }) }));
    expect([error.code, error.reason]).toEqual([Code.RESOURCE_EXHAUSTED, "QUOTA_EXCEEDED"]);
    expect(error.metadata).toEqual({ limit: "3", count: "3", setting: "MODELROUTER_REGISTRY_MAX_MODELS" });
    expect(error.message).toMatch(/holds 3 model versions, its limit of 3 .*deregister versions .*or raise MODELROUTER_REGISTRY_MAX_MODELS/);
    expect(await registry.store.revision()).toBe(before);

    await registry.client.updateModel({
      model: validModel({ name, version: "1", description: "updates still work" }),
      updateMask: create(FieldMaskSchema, { paths: ["description"] }),
    });
    await registry.client.deregisterModel({ name, version: "1" });
    await expect(registry.client.registerModel({ model: validModel({ name, version: "4" }) })).resolves.toBeDefined();
  });

  it("refuses a new policy beyond the most, also when only validating, but still replaces existing ones", async () => {
    const [a, b, c] = [uniqueName("policy"), uniqueName("policy"), uniqueName("policy")];
    await registry.client.applyPolicy({ policy: validPolicy(a, "m") });
    await registry.client.applyPolicy({ policy: validPolicy(b, "m") });
    for (const validateOnly of [false, true]) {
      const error = await rpcErrorOf(registry.client.applyPolicy({ policy: validPolicy(c, "m"), validateOnly }));
      expect([error.code, error.reason, error.metadata["setting"]]).toEqual([
        Code.RESOURCE_EXHAUSTED,
        "QUOTA_EXCEEDED",
        "MODELROUTER_REGISTRY_MAX_POLICIES",
      ]);
    }
    const replaced = await registry.client.applyPolicy({ policy: validPolicy(a, "m", { priority: 99 }) });
    expect([replaced.created, replaced.policy?.priority]).toEqual([false, 99]);
  });
});
