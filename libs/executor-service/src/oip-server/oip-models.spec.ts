import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { ChangeType, type Model, ModelSchema, ModelStatus, WatchModelsResponseSchema } from "@modelrouter/contracts";
import { OipModelCatalogue } from "./oip-models.js";

const onnxModel = (name: string, version: string, status = ModelStatus.ACTIVE): Model =>
  create(ModelSchema, { name, version, status, backend: { kind: { case: "onnx", value: { uri: `${name}/${version}.onnx` } } } });

const put = (...models: Model[]) => create(WatchModelsResponseSchema, { changes: models.map((model) => ({ type: ChangeType.PUT, model })) });
const deleted = (...models: Model[]) => create(WatchModelsResponseSchema, { changes: models.map((model) => ({ type: ChangeType.DELETE, model })) });

describe("the models served over OIP follow the registry's model watch", () => {
  it("serves the ACTIVE ONNX versions put, and picks the highest version when none is named", () => {
    const catalogue = new OipModelCatalogue();
    catalogue.apply(put(onnxModel("digits", "2"), onnxModel("digits", "10"), onnxModel("digits", "9")));
    expect(catalogue.versions("digits")).toEqual(["2", "9", "10"]);
    expect(catalogue.find("digits", "")?.version).toBe("10");
    expect(catalogue.find("digits", "9")?.onnx.uri).toBe("digits/9.onnx");
    expect(catalogue.find("digits", "3")).toBeUndefined();
    expect(catalogue.find("text", "")).toBeUndefined();
  });

  it("stops serving a version that is deleted, retired, or whose backend is no longer ONNX", () => {
    const catalogue = OipModelCatalogue.of([onnxModel("a", "1"), onnxModel("b", "1"), onnxModel("c", "1")]);
    catalogue.apply(deleted(onnxModel("a", "1")));
    catalogue.apply(put(onnxModel("b", "1", ModelStatus.RETIRED)));
    catalogue.apply(put(create(ModelSchema, { name: "c", version: "1", status: ModelStatus.ACTIVE })));
    expect(["a", "b", "c"].map((name) => catalogue.find(name, "1"))).toEqual([undefined, undefined, undefined]);
  });

  it("replaces what it served by a completed snapshot, and keeps serving the old set while the snapshot is in progress", () => {
    const catalogue = OipModelCatalogue.of([onnxModel("gone", "1"), onnxModel("kept", "1")]);
    catalogue.apply(create(WatchModelsResponseSchema, { reset: true, changes: [{ type: ChangeType.PUT, model: onnxModel("kept", "1") }] }));
    expect(catalogue.find("gone", "1")).toBeDefined();
    catalogue.apply(create(WatchModelsResponseSchema, { snapshotComplete: true, changes: [{ type: ChangeType.PUT, model: onnxModel("new", "1") }] }));
    expect(catalogue.find("gone", "1")).toBeUndefined();
    expect(catalogue.find("kept", "1")).toBeDefined();
    expect(catalogue.find("new", "1")).toBeDefined();
  });
});
