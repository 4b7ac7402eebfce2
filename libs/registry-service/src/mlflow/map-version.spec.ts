import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { BackendSchema, Modality, ModelSchema, ModelStatus, OnnxBackendSchema, OpenAiBackendSchema, PreprocessingSchema, ImagePreprocessingSchema } from "@modelrouter/contracts";
import { mapVersion } from "./map-version.js";
import { modelrouterNameOf } from "./model-name.js";

const endpointTags = { "modelrouter.endpoint": "grpc://triton.models:8001", "modelrouter.modality": "image" };

describe("an MLflow model version mapped to a modelrouter model", () => {
  it("keeps the version number, points an OIP backend at the endpoint tag and names the OIP model after MLflow's", () => {
    const mapped = mapVersion({ name: "digits" }, { version: "3", status: "READY", tags: [{ key: "modelrouter.endpoint", value: "grpc://triton.models:8001" }, { key: "modelrouter.modality", value: "image" }] }, {});
    expect(mapped.skipped).toBeUndefined();
    expect(mapped.model?.name).toBe("digits");
    expect(mapped.model?.version).toBe("3");
    expect(mapped.model?.modality).toBe(Modality.IMAGE);
    const backend = mapped.model?.backend?.kind;
    expect(backend?.case).toBe("oip");
    if (backend?.case !== "oip") return;
    expect(backend.value.endpoints.map((e) => e.url)).toEqual(["grpc://triton.models:8001"]);
    expect(backend.value.modelName).toBe("digits");
  });

  it("labels each alias so that a policy can select the champion, and makes an aliased version ACTIVE", () => {
    const mapped = mapVersion({ name: "digits", aliases: [{ alias: "champion", version: "1" }] }, { version: "1", tags: tagsOf(endpointTags) }, {});
    expect(mapped.model?.labels).toMatchObject({ "mlflow-alias/champion": "true", "synced-from": "mlflow" });
    expect(mapped.model?.status).toBe(ModelStatus.ACTIVE);
  });

  it("makes Production and Staging versions ACTIVE, Archived ones RETIRED and the others DEPRECATED", () => {
    const statusOf = (stage: string) => mapVersion({ name: "digits" }, { version: "1", current_stage: stage, tags: tagsOf(endpointTags) }, {}).model?.status;
    expect(statusOf("Production")).toBe(ModelStatus.ACTIVE);
    expect(statusOf("Staging")).toBe(ModelStatus.ACTIVE);
    expect(statusOf("Archived")).toBe(ModelStatus.RETIRED);
    expect(statusOf("None")).toBe(ModelStatus.DEPRECATED);
  });

  it("turns valid tags into labels, the version's over the model's, and reports the invalid ones", () => {
    const mapped = mapVersion(
      { name: "digits", tags: [{ key: "team", value: "vision" }, { key: "tier", value: "free" }] },
      { version: "1", tags: tagsOf({ ...endpointTags, tier: "premium", "bad key!": "x", "mlflow.source.git.commit": "abc" }) },
      {},
    );
    expect(mapped.model?.labels).toMatchObject({ team: "vision", tier: "premium" });
    expect(mapped.model?.labels).not.toHaveProperty("mlflow.source.git.commit");
    expect(mapped.notes.join("\n")).toContain('tag "bad key!" is not a label');
  });

  it("fills the endpoint template with the name and version when the version has no endpoint tag", () => {
    const mapped = mapVersion({ name: "digits" }, { version: "2", tags: tagsOf({ "modelrouter.modality": "image" }) }, { endpointTemplate: "http://{name}-v{version}.models.example.com" });
    const backend = mapped.model?.backend?.kind;
    expect(backend?.case === "oip" ? backend.value.endpoints[0]?.url : undefined).toBe("http://digits-v2.models.example.com");
  });

  it("copies task, modality and preprocessing from the --like model", () => {
    const like = create(ModelSchema, {
      name: "digits-general",
      version: "1",
      task: "digit-classification",
      modality: Modality.IMAGE,
      backend: create(BackendSchema, {
        kind: { case: "onnx", value: create(OnnxBackendSchema, { uri: "digits.onnx", preprocessing: create(PreprocessingSchema, { kind: { case: "image", value: create(ImagePreprocessingSchema, { width: 8, height: 8 }) } }) }) },
      }),
    });
    const mapped = mapVersion({ name: "digits" }, { version: "1", tags: tagsOf({ "modelrouter.endpoint": "grpc://h:1" }) }, { like });
    expect(mapped.model?.task).toBe("digit-classification");
    expect(mapped.model?.modality).toBe(Modality.IMAGE);
    const backend = mapped.model?.backend?.kind;
    expect(backend?.case === "oip" ? backend.value.preprocessing?.kind.case : undefined).toBe("image");
  });

  it("takes the processing of the model its modelrouter.like tag names, and skips it when that model is not registered", () => {
    const lite = create(ModelSchema, { name: "digits-lite", version: "1", task: "digit-classification", modality: Modality.IMAGE });
    const version = { version: "2", tags: tagsOf({ "modelrouter.endpoint": "grpc://h:1", "modelrouter.like": "digits-lite" }) };
    expect(mapVersion({ name: "digits" }, version, { likeModels: new Map([["digits-lite", lite]]) }).model?.task).toBe("digit-classification");
    expect(mapVersion({ name: "digits" }, version, {}).skipped).toContain('names "digits-lite", which is not registered');
  });

  it("makes an OpenAI-compatible version of a version like an openai model, with its generation settings and the model name tag", () => {
    const chat = create(ModelSchema, {
      name: "chat-general",
      version: "1",
      task: "chat",
      modality: Modality.TEXT,
      backend: create(BackendSchema, {
        kind: { case: "openai", value: create(OpenAiBackendSchema, { endpoints: [{ url: "http://vllm-0.models.svc:8000/v1" }], modelName: "qwen", systemPrompt: "Be brief.", maxTokens: 256, temperature: 0.2 }) },
      }),
    });
    const tags = tagsOf({ "modelrouter.endpoint": "http://vllm-1.models.svc:8000/v1", "modelrouter.credential": "env:VLLM_TOKEN", "modelrouter.model_name": "Qwen/Qwen2.5-1.5B-Instruct", "modelrouter.model_version": "2" });
    const mapped = mapVersion({ name: "support-chat" }, { version: "4", tags }, { like: chat });
    const backend = mapped.model?.backend?.kind;
    expect(mapped.model?.modality).toBe(Modality.TEXT);
    expect(backend?.case).toBe("openai");
    if (backend?.case !== "openai") return;
    expect(backend.value.endpoints.map(({ url, credential }) => ({ url, credential }))).toEqual([{ url: "http://vllm-1.models.svc:8000/v1", credential: "env:VLLM_TOKEN" }]);
    expect({ ...backend.value, endpoints: undefined, $typeName: undefined }).toEqual({ endpoints: undefined, $typeName: undefined, modelName: "Qwen/Qwen2.5-1.5B-Instruct", systemPrompt: "Be brief.", maxTokens: 256, temperature: 0.2 });
    expect(mapped.notes.join("\n")).toContain("modelrouter.model_version ignored");
  });

  it("skips a version without an endpoint, naming the tag to set", () => {
    const mapped = mapVersion({ name: "digits" }, { version: "1", tags: tagsOf({ "modelrouter.modality": "image" }) }, {});
    expect(mapped.model).toBeUndefined();
    expect(mapped.skipped).toContain("modelrouter.endpoint");
  });

  it("skips a version that is not READY", () => {
    expect(mapVersion({ name: "digits" }, { version: "1", status: "PENDING_REGISTRATION", tags: tagsOf(endpointTags) }, {}).skipped).toContain("PENDING_REGISTRATION");
  });

  it("skips a version without a modality, naming the tag and --like", () => {
    const skipped = mapVersion({ name: "digits" }, { version: "1", tags: tagsOf({ "modelrouter.endpoint": "grpc://h:1" }) }, {}).skipped;
    expect(skipped).toContain("modelrouter.modality");
    expect(skipped).toContain("--like");
  });
});

describe("the modelrouter name of an MLflow model", () => {
  it("is lower-cased with _, . and spaces turned into -", () => {
    expect(modelrouterNameOf("Fraud_Detector v2.1").name).toBe("fraud-detector-v2-1");
  });

  it("is refused with the reason when it still does not fit", () => {
    const { name, problem } = modelrouterNameOf("2nd/model");
    expect(name).toBeUndefined();
    expect(problem).toContain('"2nd/model"');
  });
});

function tagsOf(tags: Record<string, string>): { key: string; value: string }[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}
